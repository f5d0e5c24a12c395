import type { RepositorySchema } from '../schema/repository-schema.js';

/**
 * The normalized filter tree that drivers receive. The repository layer has
 * already checked every field name against the schema, coerced values to the
 * field's type, and pushed `not` down (De Morgan), so drivers see only these
 * node kinds.
 *
 * Null semantics (every driver): `cmp`, `in`, `startsWith`, `text` and
 * `array` never match a null field value, whichever operator or negation
 * (SQL three-valued logic, which is also what Firestore does); only
 * `isNull` matches nulls.
 *
 * - `text`: a literal substring test on a string field (`%`, `_` and `\`
 *   in `value` are ordinary characters). `insensitive` compares the
 *   lowercase of both sides (Unicode default lowercase mapping, as
 *   JavaScript's `toLowerCase()`). A case-sensitive `startsWith` stays a
 *   `startsWith` node and a case-sensitive `equals` a `cmp`, so drivers
 *   without substring support keep serving them.
 * - `array`: `some` is true when the array holds at least one of `values`
 *   (`has`, `hasSome`), `every` when it holds all of them (`hasEvery`).
 *
 * @example
 * ```ts
 * const c: Condition = { kind: 'and', conditions: [
 *   { kind: 'cmp', field: 'conversationId', op: 'eq', value: 'c1' },
 *   { kind: 'cmp', field: 'createdAt', op: 'gte', value: since },
 * ] };
 * ```
 */
export type Condition =
  | { readonly kind: 'cmp'; readonly field: string; readonly op: CmpOp; readonly value: unknown }
  | { readonly kind: 'in'; readonly field: string; readonly values: readonly unknown[]; readonly negate: boolean }
  | { readonly kind: 'isNull'; readonly field: string; readonly isNull: boolean }
  | { readonly kind: 'startsWith'; readonly field: string; readonly prefix: string; readonly negate: boolean }
  | { readonly kind: 'text'; readonly field: string; readonly match: TextMatch; readonly value: string; readonly insensitive: boolean; readonly negate: boolean }
  | { readonly kind: 'array'; readonly field: string; readonly match: 'some' | 'every'; readonly values: readonly unknown[]; readonly negate: boolean }
  | { readonly kind: 'and'; readonly conditions: readonly Condition[] }
  | { readonly kind: 'or'; readonly conditions: readonly Condition[] };

/**
 * How a `text` condition matches its value.
 *
 * @example
 * ```ts
 * const c: Condition = { kind: 'text', field: 'title', match: 'contains', value: '50%', insensitive: true, negate: false };
 * ```
 */
export type TextMatch = 'equals' | 'startsWith' | 'contains' | 'endsWith';

/**
 * Comparison operators.
 *
 * @example
 * ```ts
 * const op: CmpOp = 'gte';
 * const c: Condition = { kind: 'cmp', field: 'createdAt', op, value: new Date('2024-01-01') };
 * ```
 */
export type CmpOp = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte';

/**
 * One sort key. Nulls sort first ascending and last descending (DESIGN 7a).
 *
 * @example
 * ```ts
 * const t: OrderTerm = { field: 'createdAt', direction: 'desc' };
 * ```
 */
export interface OrderTerm {
  readonly field: string;
  readonly direction: 'asc' | 'desc';
}

/**
 * A validated query as drivers receive it.
 * - `orderBy` always ends with `id` (the tie-breaker), so it is a total order.
 * - `after` holds the values of the `orderBy` fields of the last row of the
 *   previous page, aligned with `orderBy`; the driver returns rows strictly
 *   after that position in the order (null-aware).
 * - `select`, when present, lists the fields to return and always includes
 *   `id` and the `orderBy` fields.
 *
 * @example
 * ```ts
 * const q: NormalizedQuery = { orderBy: [{ field: 'id', direction: 'asc' }], limit: 20 };
 * ```
 */
export interface NormalizedQuery {
  readonly where?: Condition | undefined;
  readonly orderBy: readonly OrderTerm[];
  readonly limit?: number | undefined;
  readonly offset?: number | undefined;
  readonly after?: readonly unknown[] | undefined;
  readonly select?: readonly string[] | undefined;
  /**
   * `distinct` of find: keep only the first row (in `orderBy`) of each
   * combination of these fields' values (nulls equal each other), then
   * apply offset and limit. Never set together with `after`.
   */
  readonly distinct?: readonly string[] | undefined;
  /**
   * Set by `include` ("each conversation with its last 20 messages"): keep
   * only the first `limit` rows (in `orderBy`) of each value of `field`,
   * then apply `limit`. Without `limit` only the order within each group
   * is fixed: a driver may return the groups one after another (or
   * interleaved), which saves a sort of every row. Never set together
   * with `after`, `offset` or `distinct`; sent only to drivers whose
   * capabilities have `limitPerGroup`.
   */
  readonly limitPerGroup?: { readonly field: string; readonly limit: number } | undefined;
  /**
   * Set by a many-to-many `include` with a limit: see {@link ThroughQuery}.
   * Never set together with `after`, `offset`, `distinct`, `limit` or
   * `limitPerGroup`; sent only to drivers whose capabilities have `limitThrough`.
   */
  readonly through?: ThroughQuery | undefined;
  /**
   * Set by `exists()`: any matching rows will do, not necessarily the first
   * ones in `orderBy`. Drivers may ignore it (ordering is always correct);
   * a backend that must order range-filtered results by the filtered field
   * (Firestore) uses it to answer natively.
   */
  readonly anyOrder?: boolean | undefined;
}

/**
 * "The first `limit` rows of this repository linked to each parent key
 * through a join repository", in the query's `orderBy` and after its
 * `where`: a row qualifies for key `k` when some join row has `field = k`
 * and `targetField` = the row's id. A row linked to two keys comes back
 * twice, once per key; two join rows linking the same pair count once.
 * Each returned row carries two extra properties: {@link THROUGH_PARENT}
 * (the key) and {@link THROUGH_LINK} (the smallest id of the join rows
 * linking the pair), so the caller can read those join rows by id.
 *
 * @example
 * ```ts
 * const q: NormalizedQuery = {
 *   orderBy: [{ field: 'label', direction: 'asc' }, { field: 'id', direction: 'asc' }],
 *   through: { schema, field: 'conversationId', targetField: 'tagId', keys: ['c1', 'c2'], limit: 5 }, // schema: the join's storage schema
 * };
 * ```
 */
export interface ThroughQuery {
  /** The storage schema of the join repository. */
  readonly schema: RepositorySchema;
  /** The join field holding the parent key. */
  readonly field: string;
  /** The join field holding this repository's id. */
  readonly targetField: string;
  /** The parent keys (distinct, at most the driver's `maxInList`). */
  readonly keys: readonly string[];
  /** Rows kept per key. */
  readonly limit: number;
}

/**
 * The property of a {@link ThroughQuery} result row holding its parent key.
 * Field names start with a letter, so it never collides with one.
 *
 * @example
 * ```ts
 * const parents = rows.map((row) => row[THROUGH_PARENT] as string);
 * ```
 */
export const THROUGH_PARENT = '__parent';

/**
 * The property of a {@link ThroughQuery} result row holding the id of the
 * join row that links it to its parent.
 *
 * @example
 * ```ts
 * const linkIds = rows.map((row) => row[THROUGH_LINK] as string);
 * ```
 */
export const THROUGH_LINK = '__link';

/**
 * Which rows an update or delete targets: the intersection of `ids` (when
 * given) and `where` (when given). Neither means every row.
 *
 * @example
 * ```ts
 * const t: WriteTarget = { ids: [id], where: { kind: 'cmp', field: 'version', op: 'eq', value: 3 } };
 * ```
 */
export interface WriteTarget {
  readonly ids?: readonly string[] | undefined;
  readonly where?: Condition | undefined;
}

/**
 * A normalized update: values to set, and atomic increments (applied by the
 * backend as `field = field + n`). The version increment and updatedAt are
 * already included by the repository layer.
 *
 * @example
 * ```ts
 * const p: NormalizedPatch = { set: { title: 'x' }, increment: { messageCount: 1, version: 1 } };
 * ```
 */
export interface NormalizedPatch {
  readonly set: Readonly<Record<string, unknown>>;
  readonly increment: Readonly<Record<string, number | bigint>>;
}
