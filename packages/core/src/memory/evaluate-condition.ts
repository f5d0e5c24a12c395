import type { Condition, TextMatch } from '../query/condition.js';
import type { StoredRow } from '../driver/driver.js';
import { compareValues, valuesEqual } from './compare-values.js';

/**
 * Whether a row satisfies a normalized condition, with SQL three-valued
 * logic collapsed to "matches or not": `cmp`, `in`, `startsWith`, `text`
 * and `array` never
 * match a null value, negated or not (so `ne`, `notIn` and a negated
 * `startsWith` exclude nulls); only `isNull` matches nulls. Since core has
 * already pushed negations to the leaves, unknown behaves as false
 * everywhere above them. Case-insensitive text compares the
 * `toLowerCase()` of both sides (Unicode default lowercase mapping).
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
    case 'text': {
      const v = row[c.field];
      if (typeof v !== 'string') return false;
      const found = matchText(c.match, c.insensitive ? v.toLowerCase() : v, c.insensitive ? c.value.toLowerCase() : c.value);
      return c.negate ? !found : found;
    }
    case 'array': {
      const v = row[c.field];
      if (!Array.isArray(v)) return false;
      const holds = (x: unknown) => v.some((item) => !isNullish(item) && valuesEqual(item, x));
      const found = c.match === 'some' ? c.values.some(holds) : c.values.every(holds);
      return c.negate ? !found : found;
    }
  }
}

function matchText(match: TextMatch, v: string, value: string): boolean {
  switch (match) {
    case 'equals': return v === value;
    case 'startsWith': return v.startsWith(value);
    case 'contains': return v.includes(value);
    case 'endsWith': return v.endsWith(value);
  }
}

function isNullish(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}
