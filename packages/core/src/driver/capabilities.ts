/**
 * Transaction isolation levels.
 *
 * @example
 * ```ts
 * const levels = db.driver.capabilities.isolationLevels;
 * const isolation: IsolationLevel = levels.includes('serializable') ? 'serializable' : 'read committed';
 * await db.transaction((tx) => tx.conversations.update(id, { status: 'closed' }), { isolation });
 * ```
 */
export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

/**
 * What a driver can do. The repository layer raises UnsupportedQueryError for
 * anything a driver declares it cannot do, before calling it.
 *
 * @example
 * ```ts
 * if (!db.driver.capabilities.transactions) console.warn('no transactions on this backend');
 * ```
 */
export interface DriverCapabilities {
  readonly transactions: boolean;
  /** Nested db.transaction() calls run as savepoints. */
  readonly nestedTransactions: boolean;
  readonly isolationLevels: readonly IsolationLevel[];
  readonly offset: boolean;
  readonly or: boolean;
  readonly ne: boolean;
  readonly notIn: boolean;
  readonly startsWith: boolean;
  /** startsWith with negate: true (from `not`). */
  readonly notStartsWith: boolean;
  /** `contains` / `endsWith` on strings (case-sensitive substring tests). */
  readonly substring: boolean;
  /** `mode: 'insensitive'` on eq / startsWith / contains / endsWith. */
  readonly insensitive: boolean;
  /** `has` / `hasSome` on array fields. */
  readonly arrayContains: boolean;
  /** `hasEvery` with more than one value. */
  readonly arrayContainsAll: boolean;
  /** Array conditions with negate: true (from `not`). */
  readonly notArrayContains: boolean;
  /** `distinct` on find. */
  readonly distinct: boolean;
  /** `groupBy` in aggregate (one result per group). */
  readonly groupBy: boolean;
  /** `min` / `max` in aggregate. */
  readonly aggregateMinMax: boolean;
  /** `count` of a field's non-null values in aggregate (`count: ['_all']` always works). */
  readonly countField: boolean;
  /**
   * `limitPerGroup` in a query (a per-parent limit of `include`) done by the
   * backend. Without it, core runs one bounded query per parent instead.
   */
  readonly limitPerGroup?: boolean | undefined;
  /**
   * `through` in a query (a many-to-many per-parent limit of `include`:
   * the first n targets of each parent through a join repository) done by
   * the backend in one statement. Without it, core reads every link of the
   * parents and trims in JavaScript. Not part of FULL_CAPABILITIES: a
   * driver states it itself.
   */
  readonly limitThrough?: boolean | undefined;
  /** Largest `in` / `notIn` list, if limited. */
  readonly maxInList?: number | undefined;
  /**
   * Most disjunctions in one filter's disjunctive normal form (each value
   * of an `in` list and each `or` branch counts, an `and` multiplies), if
   * limited. Core splits the parent keys of an `include` so that each of
   * its queries stays within it; the driver refuses a filter over it.
   */
  readonly maxDisjunctions?: number | undefined;
  /** Largest batch the driver writes atomically, if limited. */
  readonly maxAtomicBatch?: number | undefined;
  /** Driver applies `in`/`where` targets in update/delete natively (else the caller resolves ids). */
  readonly filteredWrites: boolean;
  /** upsert on a non-id unique key. */
  readonly upsertOnUniqueFields: boolean;
  /**
   * The backend enforces `.references()` itself (SQL FOREIGN KEY constraints):
   * core then leaves missing targets and `restrict` to it and only runs
   * cascades and `set null` through the plugins. Otherwise core enforces all.
   */
  readonly foreignKeys?: boolean | undefined;
  /** Most records that onDelete cascades and `set null` may touch in one transaction, if limited. */
  readonly maxReferenceWrites?: number | undefined;
}

/**
 * The capabilities of a backend that supports everything (SQL).
 *
 * @example
 * ```ts
 * const caps: DriverCapabilities = { ...FULL_CAPABILITIES, offset: false };
 * ```
 */
export const FULL_CAPABILITIES: DriverCapabilities = Object.freeze({
  transactions: true,
  nestedTransactions: true,
  isolationLevels: ['read committed', 'repeatable read', 'serializable'] as const,
  offset: true,
  or: true,
  ne: true,
  notIn: true,
  startsWith: true,
  notStartsWith: true,
  substring: true,
  insensitive: true,
  arrayContains: true,
  arrayContainsAll: true,
  notArrayContains: true,
  distinct: true,
  groupBy: true,
  aggregateMinMax: true,
  countField: true,
  limitPerGroup: true,
  filteredWrites: true,
  upsertOnUniqueFields: true,
});
