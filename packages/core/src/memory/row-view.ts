import type { StoredRow } from '../driver/driver.js';

/**
 * The rows of one table as a state of the memory driver sees them, keyed by
 * id: the root's RootTable, or a transaction's overlay on the state below
 * it. Read-only: writes go through the state, which keeps snapshots intact.
 *
 * @example
 * ```ts
 * const rows: RowView = state.table(schema);
 * if (rows.has(id)) console.log(rows.get(id));
 * const holders = [...rows.idsWithKey(['email'], constraintKey(row, ['email'])!)];
 * for (const [id, row] of rows) console.log(id, row);
 * ```
 */
export interface RowView {
  get(id: string): StoredRow | undefined;
  has(id: string): boolean;
  values(): Iterable<StoredRow>;
  [Symbol.iterator](): Iterator<[string, StoredRow]>;
  /** The ids of the rows whose key under the unique constraint `fields` is `key` (see constraintKey), from a hash index. */
  idsWithKey(fields: readonly string[], key: string): Iterable<string>;
}
