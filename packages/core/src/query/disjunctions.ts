import type { Condition } from './condition.js';

/**
 * How many disjunctions a normalized filter has in disjunctive normal form,
 * as a driver's `maxDisjunctions` counts them: each value of an `in` or
 * `hasSome` list and each branch of an `or` counts, an `and` multiplies its
 * terms, a negated `startsWith` is two ranges; any other test counts 1. No
 * filter is 1. The `include` loader divides the driver's limit by it to
 * size its `in` chunks of parent keys.
 *
 * @example
 * ```ts
 * disjunctions({ kind: 'in', field: 'role', values: ['user', 'bot'], negate: false }); // 2
 * ```
 */
export function disjunctions(c: Condition | undefined): number {
  if (!c) return 1;
  switch (c.kind) {
    case 'and': return c.conditions.reduce((n, x) => n * disjunctions(x), 1);
    case 'or': return c.conditions.reduce((n, x) => n + disjunctions(x), 0);
    case 'in': case 'array': return c.negate ? 1 : c.values.length;
    case 'startsWith': return c.negate ? 2 : 1;
    default: return 1;
  }
}
