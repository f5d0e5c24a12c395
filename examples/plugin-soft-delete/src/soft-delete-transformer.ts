import type { Condition, Operation } from '@chatcore/core/plugin';

type Delete = Extract<Operation, { kind: 'delete' }>;
type Update = Extract<Operation, { kind: 'update' }>;

/**
 * `where` narrowed to records that are not deleted (`field` is null).
 *
 * @example
 * ```ts
 * onlyLive({ kind: 'cmp', field: 'name', op: 'eq', value: 'Ada' }, 'deletedAt'); // name = 'Ada' and deletedAt is null
 * ```
 */
export function onlyLive(where: Condition | undefined, field: string): Condition {
  const live: Condition = { kind: 'isNull', field, isNull: true };
  return where ? { kind: 'and', conditions: [where, live] } : live;
}

/**
 * The update that soft-deletes what a delete targets: the same ids and
 * filter (an expected version included), live records only, setting `field`
 * and the managed fields a repository update sets (`updatedAt`, `version`).
 *
 * @example
 * ```ts
 * const update = deleteAsUpdate({ kind: 'delete', schema: notes.schema, target: { ids: [id] } }, 'deletedAt', new Date());
 * update.patch; // { set: { deletedAt: <now> }, increment: { version: 1 } }
 * ```
 */
export function deleteAsUpdate(op: Delete, field: string, now: Date): Update {
  const { schema } = op;
  const set: Record<string, unknown> = { [field]: now };
  if (schema.updatedAtField) set[schema.updatedAtField] = now;
  const increment: Record<string, number> = schema.versionField ? { [schema.versionField]: 1 } : {};
  return { kind: 'update', schema, target: { ids: op.target.ids, where: onlyLive(op.target.where, field) }, patch: { set, increment } };
}
