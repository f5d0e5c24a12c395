import type { ValidationIssue } from '../errors.js';
import type { FieldMeta } from './field-meta.js';
import type { RepositorySchema } from './repository-schema.js';
import { INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, isWideInteger } from './integer-range.js';

/**
 * The range the result of an increment must stay in, for a numeric field
 * that declares `min` or `max`: the declared bounds, narrowed to what the
 * field's storage holds (int32, ±(2^53 - 1) for a wide integer, int64 for a
 * bigint). An undefined side is not checked (a `number` field declaring only
 * `max` has no lower bound).
 *
 * @example
 * ```ts
 * const b: IncrementBounds = { min: 0, max: 100 };
 * ```
 */
export interface IncrementBounds {
  readonly min: number | bigint | undefined;
  readonly max: number | bigint | undefined;
}

/**
 * The bounds an increment of this field is checked against, or undefined
 * when the field declares neither `min` nor `max` (only its storage type
 * bounds it then, and the plain `col = col + n` needs no check). Backends
 * that compute the sum themselves (SQL) read it once per field and compile
 * the check into the statement.
 *
 * @example
 * ```ts
 * incrementBounds(f.integer({ min: 0, max: 100 }).meta); // { min: 0, max: 100 }
 * incrementBounds(f.integer({ min: 0 }).meta);           // { min: 0, max: 2147483647 }
 * incrementBounds(f.integer().meta);                     // undefined
 * ```
 */
export function incrementBounds(meta: FieldMeta): IncrementBounds | undefined {
  if (meta.min === undefined && meta.max === undefined) return undefined;
  switch (meta.type) {
    case 'integer': {
      const [lo, hi] = isWideInteger(meta) ? [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] : [INT32_MIN, INT32_MAX];
      return { min: Math.max(lo, Math.ceil(Number(meta.min ?? lo))), max: Math.min(hi, Math.floor(Number(meta.max ?? hi))) };
    }
    case 'bigint': {
      const min = meta.min === undefined ? INT64_MIN : BigInt(meta.min);
      const max = meta.max === undefined ? INT64_MAX : BigInt(meta.max);
      return { min: min < INT64_MIN ? INT64_MIN : min, max: max > INT64_MAX ? INT64_MAX : max };
    }
    case 'number':
      return { min: meta.min === undefined ? undefined : Number(meta.min), max: meta.max === undefined ? undefined : Number(meta.max) };
    default:
      return undefined;
  }
}

/**
 * The issue for the result of an increment of `field`, or undefined when the
 * result fits: past a declared `min`/`max` the message names the field, the
 * bound and the value the increment would have reached; past the storage type
 * (int32, ±(2^53 - 1) for a wide integer, int64, a finite double) it says the
 * result leaves the field's range. Every backend reports an increment past a
 * declared bound or past the storage type with this issue in a
 * ValidationError (path `<field>.increment`); for a field that declares no
 * bound the SQL drivers leave the check to the database and map its overflow
 * error (22003) back to this issue (see docs/drivers.md).
 * Increments never apply to `.sensitive()` fields; a plugin that applies one
 * to a value it encrypts (a sealed record) passes `conceal` to leave the value
 * out of the message.
 *
 * @example
 * ```ts
 * const counters = defineRepository('counters', { id: f.id(), n: f.integer({ min: 0, max: 100 }) });
 * incrementIssue(counters.schema, 'n', 105);
 * // { path: 'n.increment', message: 'the increment would take counters.n to 105, above its maximum of 100' }
 * incrementIssue(counters.schema, 'n', 105, { conceal: true });
 * // { path: 'n.increment', message: 'the increment would take counters.n above its maximum of 100' }
 * ```
 */
export function incrementIssue(schema: RepositorySchema, field: string, result: number | bigint, options?: { readonly conceal?: boolean }): ValidationIssue | undefined {
  const meta = schema.fields[field];
  if (!meta) return undefined;
  // On every update's path (the version increment): no allocation unless the result is refused.
  if (meta.max !== undefined || meta.min !== undefined) {
    const big = meta.type === 'bigint';
    const above = meta.max !== undefined && (big ? BigInt(result) > BigInt(meta.max) : Number(result) > Number(meta.max));
    const below = !above && meta.min !== undefined && (big ? BigInt(result) < BigInt(meta.min) : Number(result) < Number(meta.min));
    if (above || below) {
      const bound = above ? `above its maximum of ${meta.max}` : `below its minimum of ${meta.min}`;
      const to = options?.conceal ? '' : ` to ${result},`;
      return { path: `${field}.increment`, message: `the increment would take ${schema.name}.${field}${to} ${bound}` };
    }
  }
  return storable(meta, result) ? undefined : { path: `${field}.increment`, message: `the result leaves the range of ${schema.name}.${field}` };
}

function storable(meta: FieldMeta, v: number | bigint): boolean {
  if (typeof v === 'bigint') {
    if (meta.type === 'integer') return storable(meta, Number(v)) && BigInt(Number(v)) === v;
    return v >= INT64_MIN && v <= INT64_MAX;
  }
  if (meta.type === 'number') return Number.isFinite(v);
  return isWideInteger(meta) ? Number.isSafeInteger(v) : v >= INT32_MIN && v <= INT32_MAX;
}
