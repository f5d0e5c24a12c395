import type { RepositorySchema } from '../schema/repository-schema.js';
import type { Condition, NormalizedPatch, NormalizedQuery, WriteTarget } from '../query/condition.js';
import type { RowStatement, StoredRow } from '../driver/driver.js';
import type { AggregateRow, NormalizedAggregate } from '../query/aggregate.js';

/**
 * The public repository method that started an operation.
 *
 * @example
 * ```ts
 * const writes = new Set<MethodName>(['create', 'createMany', 'update', 'updateMany', 'upsert', 'delete', 'deleteMany']);
 * const isWrite = (ctx: OperationContext) => writes.has(ctx.method);
 * ```
 */
export type MethodName =
  | 'create' | 'createMany' | 'get' | 'getMany' | 'find' | 'findPage' | 'findOne' | 'count' | 'exists'
  | 'update' | 'updateMany' | 'upsert' | 'delete' | 'deleteMany' | 'iterate' | 'aggregate' | 'query';

/**
 * The hook family an operation belongs to.
 *
 * @example
 * ```ts
 * const counts: Record<HookFamily, number> = { create: 0, read: 0, update: 0, delete: 0 };
 * counts[familyOf(op.kind)]++;
 * ```
 */
export type HookFamily = 'create' | 'read' | 'update' | 'delete';

/**
 * One operation travelling down the plugin onion to the driver. Plugins may
 * replace fields (encrypt rows, rewrite `where`) on the way down; every value
 * below the encryption plugin is ciphertext.
 *
 * - `insert`: rows to insert (all fields present; ids assigned).
 * - `get`: rows by id.
 * - `query`: rows by a normalized query (find, findOne, findPage, iterate, exists).
 * - `count`: a count by filter.
 * - `aggregate`: groups and measures (count, sum, avg, min, max) by filter; a read.
 * - `rows`: whole rows selected by a caller-written statement (`Repository.query`); a read.
 * - `update`: a patch over a target (by ids and/or filter; an expected version is part of `where`).
 * - `delete`: a target.
 * - `upsert`: one row, with the patch to apply on conflict.
 *
 * @example
 * ```ts
 * if (op.kind === 'query') console.log(op.query.orderBy);
 * ```
 */
export type Operation =
  | { kind: 'insert'; schema: RepositorySchema; rows: StoredRow[] }
  | { kind: 'get'; schema: RepositorySchema; ids: string[]; select?: readonly string[] | undefined }
  | { kind: 'query'; schema: RepositorySchema; query: NormalizedQuery }
  | { kind: 'count'; schema: RepositorySchema; where: Condition | undefined }
  | { kind: 'aggregate'; schema: RepositorySchema; aggregate: NormalizedAggregate }
  | { kind: 'rows'; schema: RepositorySchema; statement: RowStatement }
  | { kind: 'update'; schema: RepositorySchema; target: WriteTarget; patch: NormalizedPatch }
  | { kind: 'delete'; schema: RepositorySchema; target: WriteTarget }
  | { kind: 'upsert'; schema: RepositorySchema; row: StoredRow; conflictFields: readonly string[]; patch: NormalizedPatch };

/**
 * The result coming back up the onion. `rows` holds what was read, inserted,
 * updated or upserted; `ids` the deleted ids; `count` for count; `created`
 * for upsert. Plugins may replace `rows` (decrypt) on the way up.
 *
 * @example
 * ```ts
 * const result: OperationResult = { rows: [], count: 3 };
 * ```
 */
export interface OperationResult {
  rows: StoredRow[];
  ids?: string[];
  count?: number;
  /** The groups of an `aggregate` (its `rows` is empty). */
  groups?: AggregateRow[];
  created?: boolean;
  /**
   * Set by a plugin that answered without the driver: its name, optionally
   * followed by ':' and a detail (the cache sets 'cache:local' or
   * 'cache:shared', the tier that answered). Plugins above pass it up.
   */
  servedBy?: string;
}

/**
 * The hook family of each operation kind: the one table both the plugin
 * onion (which hooks fire) and the hook types (which operations a hook
 * receives) read.
 */
const FAMILIES = {
  insert: 'create',
  upsert: 'create',
  get: 'read',
  query: 'read',
  count: 'read',
  aggregate: 'read',
  rows: 'read',
  update: 'update',
  delete: 'delete',
} as const satisfies Record<Operation['kind'], HookFamily>;

/**
 * The operations of one hook family: what its `before`/`after` hooks receive
 * (`OperationOf<'read'>` is get, query, count, aggregate and rows).
 *
 * @example
 * ```ts
 * import type { OperationOf } from '@chatcore/core/plugin';
 * function readsOf(op: OperationOf<'read'>): string {
 *   switch (op.kind) {
 *     case 'get': return op.ids.join(',');
 *     case 'query': case 'rows': return op.schema.name;
 *     case 'count': case 'aggregate': return `${op.kind} ${op.schema.name}`;
 *   }
 * }
 * ```
 */
export type OperationOf<F extends HookFamily> = Extract<Operation, { kind: KindOf<F> }>;

type KindOf<F extends HookFamily> = { [K in keyof typeof FAMILIES]: (typeof FAMILIES)[K] extends F ? K : never }[keyof typeof FAMILIES];

/**
 * Which hook family an operation kind belongs to (upsert fires the create hooks).
 *
 * @example
 * ```ts
 * familyOf('query');  // 'read'
 * familyOf('upsert'); // 'create'
 * ```
 */
export function familyOf(kind: Operation['kind']): HookFamily {
  return FAMILIES[kind];
}
