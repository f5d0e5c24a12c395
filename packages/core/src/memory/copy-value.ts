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
  // The common shapes by hand: structuredClone costs microseconds per call.
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (value instanceof Uint8Array) return new Uint8Array(value) as T;
  if (Array.isArray(value)) return value.map(copyValue) as T;
  return structuredClone(value);
}

/**
 * Copy a row, keeping only `select` when given (id is always kept).
 *
 * @example
 * ```ts
 * const out = copyRow(rows[0], ['id', 'name']);
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
