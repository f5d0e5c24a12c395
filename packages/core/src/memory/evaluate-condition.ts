import type { Condition } from '../query/condition.js';
import type { StoredRow } from '../driver/driver.js';
import { compareValues, valuesEqual } from './compare-values.js';

/**
 * Whether a row satisfies a normalized condition, with SQL three-valued
 * logic collapsed to "matches or not": `cmp`, `in` and `startsWith` never
 * match a null value, negated or not (so `ne`, `notIn` and a negated
 * `startsWith` exclude nulls); only `isNull` matches nulls. Since core has
 * already pushed negations to the leaves, unknown behaves as false
 * everywhere above them.
 *
 * @example
 * ```ts
 * evaluateCondition({ kind: 'cmp', field: 'age', op: 'ne', value: 3 }, { age: null }); // false
 * ```
 */
export function evaluateCondition(c: Condition | undefined, row: StoredRow): boolean {
  if (c === undefined) return true;
  switch (c.kind) {
    case 'and':
      return c.conditions.every((x) => evaluateCondition(x, row));
    case 'or':
      return c.conditions.some((x) => evaluateCondition(x, row));
    case 'isNull':
      return isNullish(row[c.field]) === c.isNull;
    case 'cmp': {
      const v = row[c.field];
      if (isNullish(v) || isNullish(c.value)) return false;
      const r = compareValues(v, c.value);
      switch (c.op) {
        case 'eq': return r === 0;
        case 'ne': return r !== 0;
        case 'gt': return r > 0;
        case 'gte': return r >= 0;
        case 'lt': return r < 0;
        case 'lte': return r <= 0;
      }
      return false;
    }
    case 'in': {
      const v = row[c.field];
      if (isNullish(v)) return false;
      const found = c.values.some((x) => !isNullish(x) && valuesEqual(v, x));
      return c.negate ? !found : found;
    }
    case 'startsWith': {
      const v = row[c.field];
      if (typeof v !== 'string') return false;
      const found = v.startsWith(c.prefix);
      return c.negate ? !found : found;
    }
  }
}

function isNullish(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}
