import type { StoredRow } from '../driver/driver.js';

/**
 * A deep copy of a stored value or row, so that neither the caller nor the
 * store can change the other's data afterwards. Dates, Uint8Arrays (a Buffer
 * comes back as a plain Uint8Array), bigints, arrays and JSON all survive.
 *
 * @example
 * ```ts
 * const safe = copyValue({ at: new Date(), tags: ['a'] });
 * ```
 */
export function copyValue<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  return structuredClone(value);
}

/**
 * Copy a row, keeping only `select` when given (id is always kept).
 *
 * @example
 * ```ts
 * copyRow(row, ['id', 'name']);
 * ```
 */
export function copyRow(row: StoredRow, select?: readonly string[]): StoredRow {
  const out: StoredRow = {};
  if (select) {
    out.id = row.id;
    for (const f of select) out[f] = copyValue(row[f] ?? null);
    return out;
  }
  for (const key of Object.keys(row)) out[key] = copyValue(row[key]);
  return out;
}
