import { ForeignKeyError } from '../errors.js';
import type { DriverSession } from '../driver/driver.js';
import type { Condition } from '../query/condition.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import type { ReferenceRule } from './reference-rules.js';

/**
 * Record ids by repository name.
 *
 * @example
 * ```ts
 * const ids: RecordIds = new Map([['chats', new Set(['c1'])]]);
 * ```
 */
export type RecordIds = Map<string, Set<string>>;

/**
 * What a delete will do, worked out before it writes anything: every record
 * it removes (its own ids and, transitively, what `cascade` removes with
 * them) and how many referencing records cascades and `set null` touch.
 *
 * @example
 * ```ts
 * const plan = await planDelete(planner, 'chats', ['c1'], session, undefined);
 * plan.deleted.get('lines'); // the lines the cascade removes
 * ```
 */
export interface DeletePlan {
  /** Every record the delete removes, its own ids included. */
  readonly deleted: RecordIds;
  /** Distinct referencing records deleted by cascades or cleared by `set null` (not the delete's own ids). */
  readonly touched: number;
}

/**
 * What planning needs of the database: its repositories, its rules by
 * referenced repository, the driver's largest `in` list, and whether
 * records cleared by `set null` must be counted (only against a bound).
 *
 * @example
 * ```ts
 * const planner: DeletePlanner = { storage, byParent, chunk: caps.maxInList ?? 1000, countCleared: caps.maxReferenceWrites !== undefined };
 * ```
 */
export interface DeletePlanner {
  readonly storage: ReadonlyMap<string, RepositorySchema>;
  readonly byParent: ReadonlyMap<string, readonly ReferenceRule[]>;
  readonly chunk: number;
  readonly countCleared: boolean;
}

const NO_RULES: readonly ReferenceRule[] = [];
const BY_ID = [{ field: 'id', direction: 'asc' as const }];

/**
 * Plan deleting `ids` of `repository` in `session`: follow `cascade` rules
 * level after level (self references and cycles included) to the set of
 * records the delete removes, then refuse with ForeignKeyError
 * ('restricted') when a `restrict` rule has a referencing record outside
 * that set. Restrict so means what it means to a SQL foreign key checked at
 * the end of the statement: no referencing record survives the delete.
 * `alreadyDeleted` holds records an enclosing delete of the same
 * transaction has planned: they count as removed. Reads only.
 *
 * @example
 * ```ts
 * const plan = await planDelete(planner, 'chats', ['c1'], session, undefined);
 * // throws ForeignKeyError('restricted') when a kept record still references one of them
 * ```
 */
export async function planDelete(
  planner: DeletePlanner,
  repository: string,
  ids: readonly string[],
  session: DriverSession,
  alreadyDeleted: ReadonlyMap<string, ReadonlySet<string>> | undefined,
): Promise<DeletePlan> {
  const deleted: RecordIds = new Map();
  const cleared: RecordIds = new Map();
  const gone = (repo: string, id: string) => deleted.get(repo)?.has(id) === true || alreadyDeleted?.get(repo)?.has(id) === true;
  const own = new Set(ids.filter((id) => !gone(repository, id)));
  deleted.set(repository, new Set(own));
  const queue: [string, string[]][] = [[repository, [...own]]];
  for (let next = queue.pop(); next; next = queue.pop()) {
    const [parent, parentIds] = next;
    for (const rule of planner.byParent.get(parent) ?? NO_RULES) {
      if (rule.onDelete === 'restrict' || (rule.onDelete === 'set null' && !planner.countCleared)) continue;
      const found = await referencing(planner, rule, parentIds, session, undefined);
      if (rule.onDelete === 'set null') {
        for (const id of found) add(cleared, rule.child, id);
        continue;
      }
      const fresh = found.filter((id) => !gone(rule.child, id));
      for (const id of fresh) add(deleted, rule.child, id);
      if (fresh.length > 0) queue.push([rule.child, fresh]);
    }
  }
  await refuseRestricted(planner, deleted, gone, (repo) => (deleted.get(repo)?.size ?? 0) + (alreadyDeleted?.get(repo)?.size ?? 0) > 0, session);
  let touched = 0;
  for (const [repo, set] of deleted) touched += repo === repository ? set.size - own.size : set.size;
  for (const [repo, set] of cleared) for (const id of set) if (!gone(repo, id)) touched++;
  return { deleted, touched };
}

/** Refuse when a `restrict` rule of a deleted record has a referencing record that is not deleted too. */
async function refuseRestricted(
  planner: DeletePlanner,
  deleted: RecordIds,
  gone: (repo: string, id: string) => boolean,
  removesAny: (repo: string) => boolean,
  session: DriverSession,
): Promise<void> {
  for (const [parent, set] of deleted) {
    if (set.size === 0) continue;
    for (const rule of planner.byParent.get(parent) ?? NO_RULES) {
      if (rule.onDelete !== 'restrict') continue;
      // When the delete removes no record of the referencing repository, any hit refuses: one row is enough.
      const found = await referencing(planner, rule, [...set], session, removesAny(rule.child) ? undefined : 1);
      if (found.some((id) => !gone(rule.child, id))) {
        throw new ForeignKeyError('restricted', { repository: rule.child, field: rule.field, target: rule.parent });
      }
    }
  }
}

/** Ids of the `rule.child` records whose `rule.field` names one of `parentIds` (at most `limit` per chunk). */
async function referencing(planner: DeletePlanner, rule: ReferenceRule, parentIds: readonly string[], session: DriverSession, limit: number | undefined): Promise<string[]> {
  const child = planner.storage.get(rule.child)!;
  const out: string[] = [];
  for (let i = 0; i < parentIds.length; i += planner.chunk) {
    const where: Condition = { kind: 'in', field: rule.field, values: parentIds.slice(i, i + planner.chunk), negate: false };
    const rows = await session.query(child, { where, orderBy: BY_ID, select: ['id'], anyOrder: true, ...(limit === undefined ? {} : { limit }) }, {});
    for (const r of rows) out.push(r.id as string);
    if (limit !== undefined && rows.length > 0) return out;
  }
  return out;
}

function add(map: RecordIds, repo: string, id: string): void {
  (map.get(repo) ?? map.set(repo, new Set()).get(repo)!).add(id);
}
