import { sql, type RawBuilder } from 'kysely';

/** Half the largest double: two doubles no larger than it in magnitude add without overflow. */
const HALF_MAX = sql.raw(`${Number.MAX_VALUE / 2}::float8`);

/**
 * The SQL pieces of a bounded increment of a double column: `outside`, true
 * when `col + $n` leaves [min, max]; `sum`, `col + $n` (only evaluated in
 * range, where it cannot overflow); `text`, the sum as text, `Infinity` or
 * `-Infinity` past the largest double (only evaluated out of range).
 *
 * @example
 * ```ts
 * const { outside, sum, text } = doubleIncrement(sql.ref('ratio'), slot, { min: 0, max: 1 });
 * ```
 */
export interface DoubleIncrement {
  readonly outside: RawBuilder<unknown>;
  readonly sum: RawBuilder<unknown>;
  readonly text: RawBuilder<unknown>;
}

/** `b` halved where that is exact (|b| >= 1); a smaller bound keeps its sign, all a large half sum is compared on. */
function halfBound(b: number): RawBuilder<unknown> {
  return sql.raw(`${Math.abs(b) >= 1 ? b / 2 : b}::float8`);
}

/**
 * The range check of `col + by` for a `number` field, decided as JS adds
 * doubles (memory's check) without ever overflowing: PostgreSQL raises
 * 22003 where a float8 sum passes the largest double, and float8 -> numeric
 * keeps only 15 digits, so no wider type helps. Operands both within half
 * the largest double add as they are. Otherwise one of them, L, is larger
 * than that, and `trunc(col) / 2 + trunc(by) / 2` is compared with the
 * halved bounds: L is an integer and halves exactly, the other operand
 * either halves exactly too or (below 2^52) is far under L's rounding step
 * (2^969) whether counted or not, so that half sum is the true sum halved
 * and rounded the same way; past half the largest double the sum overflows.
 * Nothing here divides a value below 1 (a subnormal halved to 0 is an
 * underflow error in PostgreSQL, raised even in a CASE arm never taken once
 * the planner folds the amount into a constant). A missing bound is the
 * largest double, so a sum that overflows is always out of range.
 *
 * @example
 * ```ts
 * const { outside, sum, text } = doubleIncrement(sql.ref('ratio'), slot, { min: 0, max: 1 });
 * const set = sql`case when ${outside} then fail(${text}) else ${sum} end`;
 * ```
 */
export function doubleIncrement(col: RawBuilder<unknown>, by: unknown, bounds: { readonly min?: number; readonly max?: number }): DoubleIncrement {
  const a = sql`${col}::float8`;
  const b = sql`${by}::float8`;
  const min = bounds.min ?? -Number.MAX_VALUE;
  const max = bounds.max ?? Number.MAX_VALUE;
  const small = sql`abs(${a}) <= ${HALF_MAX} and abs(${b}) <= ${HALF_MAX}`;
  const sum = sql`(${a} + ${b})`;
  const half = sql`(trunc(${a}) / 2 + trunc(${b}) / 2)`;
  const outside = sql`(case when ${small} then ${sum} not between ${sql.raw(`${min}::float8`)} and ${sql.raw(`${max}::float8`)} else ${half} not between ${halfBound(min)} and ${halfBound(max)} end)`;
  const text = sql`(case when ${small} then ${sum}::text when abs(${half}) <= ${HALF_MAX} then (${half} * 2)::text when ${half} > 0 then 'Infinity' else '-Infinity' end)`;
  return { outside, sum, text };
}
