import type { OrderTerm } from '../query/condition.js';
import type { StoredRow } from '../driver/driver.js';
import { compareValues } from './compare-values.js';

/**
 * Compare two tuples of sort values under `orderBy`: null before every
 * value ascending, after every value descending (DESIGN 7a).
 *
 * @example
 * ```ts
 * compareTuples([{ field: 'n', direction: 'asc' }], [null], [1]); // -1
 * ```
 */
export function compareTuples(orderBy: readonly OrderTerm[], a: readonly unknown[], b: readonly unknown[]): number {
  for (let i = 0; i < orderBy.length; i++) {
    const r = compareNullsFirst(a[i], b[i]);
    if (r !== 0) return orderBy[i]!.direction === 'desc' ? -r : r;
  }
  return 0;
}

/**
 * Sort rows by `orderBy` (which ends with id, so the order is total).
 *
 * @example
 * ```ts
 * sortRows(rows, [{ field: 'createdAt', direction: 'desc' }, { field: 'id', direction: 'desc' }]);
 * ```
 */
export function sortRows(rows: StoredRow[], orderBy: readonly OrderTerm[]): StoredRow[] {
  const keyed = rows.map((row) => ({ row, key: sortKey(row, orderBy) }));
  keyed.sort((x, y) => compareTuples(orderBy, x.key, y.key));
  return keyed.map((k) => k.row);
}

/**
 * Whether a row lies strictly after the keyset cursor `after` (values
 * aligned with `orderBy`).
 *
 * @example
 * ```ts
 * const orderBy: OrderTerm[] = [{ field: 'createdAt', direction: 'desc' }, { field: 'id', direction: 'desc' }];
 * const last = { id: 'b', createdAt: new Date('2026-01-02') }; // the last row of the previous page
 * isAfterCursor({ id: 'a', createdAt: new Date('2026-01-02') }, orderBy, [last.createdAt, last.id]); // true: a tie, broken by id
 * ```
 */
export function isAfterCursor(row: StoredRow, orderBy: readonly OrderTerm[], after: readonly unknown[]): boolean {
  return compareTuples(orderBy, sortKey(row, orderBy), after) > 0;
}

/**
 * The values of the `orderBy` fields of a row, in order (null for absent).
 *
 * @example
 * ```ts
 * sortKey({ id: 'a', rank: 2 }, [{ field: 'rank', direction: 'asc' }, { field: 'id', direction: 'asc' }]); // [2, 'a']
 * ```
 */
export function sortKey(row: StoredRow, orderBy: readonly OrderTerm[]): unknown[] {
  return orderBy.map((t) => row[t.field] ?? null);
}

function compareNullsFirst(a: unknown, b: unknown): number {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) return an && bn ? 0 : an ? -1 : 1;
  return compareValues(a, b);
}
