import type { FieldMeta } from './field-meta.js';

/** Bounds of the 32-bit column an `integer` field is stored in by default. */
export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;
/** Bounds of a 64-bit column (`bigint` fields, and integers declared wider than 32 bits). */
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/**
 * Whether an `integer` field needs a 64-bit column: its declared `min` or
 * `max` lies outside the 32-bit range. Backends size their columns by it
 * (SQL `bigint` instead of `integer`) and range checks follow it.
 *
 * @example
 * ```ts
 * isWideInteger(f.integer({ max: 10_000_000_000 }).meta); // true
 * isWideInteger(f.integer().meta); // false
 * ```
 */
export function isWideInteger(meta: FieldMeta): boolean {
  const outside = (v: number | bigint | undefined) => v !== undefined && (Number(v) < INT32_MIN || Number(v) > INT32_MAX);
  return outside(meta.min) || outside(meta.max);
}
