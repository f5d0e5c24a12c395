import { ValidationError, type ValidationIssue } from '../errors.js';
import type { FieldMeta } from '../schema/field-meta.js';
import { ORDERED_TYPES } from '../schema/field-meta.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import { SEALED } from '../schema/checked-schema.js';
import { describe, isPlainObject } from '../repository/validate-value.js';
import type { Condition } from './condition.js';
import { collectFilter } from './normalize-filter.js';
import { MAX_LIMIT } from './normalize-query.js';

/**
 * An aggregate function.
 *
 * @example
 * ```ts
 * const fn: AggregateFn = 'sum';
 * ```
 */
export type AggregateFn = 'count' | 'sum' | 'avg' | 'min' | 'max';

/**
 * One measure of an aggregate: `count` of rows (`field` null) or of a
 * field's non-null values, `sum` / `avg` of a numeric field, `min` / `max`
 * of an ordered field. Nulls are ignored; `sum`, `avg`, `min` and `max`
 * over no values are null.
 *
 * @example
 * ```ts
 * const m: AggregateMeasure = { fn: 'sum', field: 'tokens' };
 * ```
 */
export interface AggregateMeasure {
  readonly fn: AggregateFn;
  readonly field: string | null;
}

/**
 * One sort key of the groups: a group field (`group`: its index in
 * `groupBy`) or a measure (`measure`: its index in `measures`). Nulls sort
 * first ascending and last descending.
 *
 * @example
 * ```ts
 * const t: AggregateOrder = { measure: 0, direction: 'desc' };
 * ```
 */
export interface AggregateOrder {
  readonly group?: number | undefined;
  readonly measure?: number | undefined;
  readonly direction: 'asc' | 'desc';
}

/**
 * A validated aggregate as drivers receive it. `orderBy` always ends with
 * every group field (ascending unless listed), so the order is total and
 * `limit` cuts the same groups on every backend.
 *
 * @example
 * ```ts
 * const a: NormalizedAggregate = { groupBy: ['role'], measures: [{ fn: 'count', field: null }], orderBy: [{ group: 0, direction: 'asc' }] };
 * ```
 */
export interface NormalizedAggregate {
  readonly where?: Condition | undefined;
  readonly groupBy: readonly string[];
  readonly measures: readonly AggregateMeasure[];
  readonly orderBy: readonly AggregateOrder[];
  readonly limit?: number | undefined;
}

/**
 * One group as drivers return it: the group field values (aligned with
 * `groupBy`) and the measure values (aligned with `measures`): counts as
 * numbers; sums of bigint fields as bigints, of other fields as numbers;
 * averages as numbers; min / max in the field's type.
 *
 * @example
 * ```ts
 * const row: AggregateRow = { group: ['user'], values: [12, 3400] };
 * ```
 */
export interface AggregateRow {
  readonly group: readonly unknown[];
  readonly values: readonly unknown[];
}

const FNS: readonly AggregateFn[] = ['count', 'sum', 'avg', 'min', 'max'];
const KEYS = new Set(['where', 'groupBy', 'count', 'sum', 'avg', 'min', 'max', 'orderBy', 'limit']);
const NUMERIC = new Set(['integer', 'bigint', 'number']);

/** Which fields a function accepts, and why not. Encrypted fields allow count only. */
function fieldProblem(fn: AggregateFn, meta: FieldMeta): string | undefined {
  if (meta.secret) return 'secret fields cannot be aggregated';
  if (fn === 'count') return meta.storedAs === SEALED && !meta.sensitive?.searchable ? 'count is not possible on a sealed field without a blind index' : undefined;
  if (meta.sensitive) return `${fn} is not possible on an encrypted field (only count is)`;
  if ((fn === 'sum' || fn === 'avg') && !NUMERIC.has(meta.type)) return `${fn} needs an integer, bigint or number field, not ${meta.type}`;
  if ((fn === 'min' || fn === 'max') && !ORDERED_TYPES.has(meta.type)) return `${fn} needs an ordered field, not ${meta.type}`;
  return undefined;
}

/**
 * Validate a caller's aggregate against the schema and normalize it:
 * fields checked per function (encrypted fields: count only), group
 * fields compared by value, the order made total, the filter normalized.
 *
 * @example
 * ```ts
 * const agg = normalizeAggregate(messages.schema, { groupBy: ['role'], count: ['_all'], sum: ['tokens'] });
 * ```
 */
export function normalizeAggregate(schema: RepositorySchema, input: unknown): NormalizedAggregate {
  const issues: ValidationIssue[] = [];
  if (!isPlainObject(input)) throw new ValidationError([{ path: '(aggregate)', message: `expected an aggregate object, got ${describe(input)}` }], { context: 'aggregate' });
  for (const key of Object.keys(input)) if (!KEYS.has(key)) issues.push({ path: key, message: `unknown aggregate option (use ${[...KEYS].join(', ')})` });
  const field = (name: unknown, path: string): FieldMeta | undefined => {
    const meta = typeof name === 'string' && Object.hasOwn(schema.fields, name) ? schema.fields[name] : undefined;
    if (!meta) issues.push({ path, message: 'unknown field' });
    return meta;
  };
  const list = (key: string): unknown[] => {
    const v = input[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.length === 0) {
      issues.push({ path: key, message: 'expected a non-empty array of field names' });
      return [];
    }
    return v;
  };
  const groupBy: string[] = [];
  for (const [i, name] of list('groupBy').entries()) {
    const meta = field(name, `groupBy[${i}]`);
    if (!meta) continue;
    if (meta.secret || meta.sensitive) issues.push({ path: `groupBy[${i}]`, message: 'encrypted and secret fields cannot be group keys' });
    else if (!ORDERED_TYPES.has(meta.type)) issues.push({ path: `groupBy[${i}]`, message: `${meta.type === 'array' ? 'an array' : `a ${meta.type}`} field cannot be a group key (groups are sorted, and only ordered fields have an order)` });
    else if (groupBy.includes(name as string)) issues.push({ path: `groupBy[${i}]`, message: 'listed twice' });
    else groupBy.push(name as string);
  }
  const measures: AggregateMeasure[] = [];
  for (const fn of FNS) {
    for (const [i, name] of list(fn).entries()) {
      const path = `${fn}[${i}]`;
      if (fn === 'count' && name === '_all') {
        if (!measures.some((m) => m.fn === 'count' && m.field === null)) measures.push({ fn, field: null });
        continue;
      }
      const meta = field(name, path);
      if (!meta) continue;
      const problem = fieldProblem(fn, meta);
      if (problem) issues.push({ path, message: problem });
      else if (!measures.some((m) => m.fn === fn && m.field === name)) measures.push({ fn, field: name as string });
    }
  }
  // Asked for nothing at all; a request whose fields were all refused has its own issues already.
  const asked = input.groupBy !== undefined || FNS.some((fn) => input[fn] !== undefined);
  if (!asked) issues.push({ path: '(aggregate)', message: 'ask for at least one of count, sum, avg, min, max or groupBy' });
  const orderBy = aggregateOrder(input.orderBy, groupBy, measures, issues);
  let limit: number | undefined;
  if (input.limit !== undefined) {
    if (typeof input.limit !== 'number' || !Number.isInteger(input.limit) || input.limit < 1 || input.limit > MAX_LIMIT) issues.push({ path: 'limit', message: `expected an integer from 1 to ${MAX_LIMIT}` });
    else limit = input.limit;
  }
  if (groupBy.length === 0 && (input.orderBy !== undefined || input.limit !== undefined)) {
    issues.push({ path: input.orderBy !== undefined ? 'orderBy' : 'limit', message: 'orderBy and limit sort and cut groups: they need groupBy' });
  }
  const where = collectFilter(schema, input.where, 'where', issues);
  if (issues.length) throw new ValidationError(issues, { context: 'aggregate' });
  return limit === undefined ? { where, groupBy, measures, orderBy } : { where, groupBy, measures, orderBy, limit };
}

/** The sort keys a term names: `role`, or `sum.tokens` for each field of a measure. */
function sortKeysOf(item: Record<string, unknown>): string[] {
  return Object.keys(item).flatMap((key) => {
    const v = item[key];
    return (FNS as readonly string[]).includes(key) && isPlainObject(v) && Object.keys(v).length > 0 ? Object.keys(v).map((f) => `${key}.${f}`) : [key];
  });
}

/** `orderBy`: group fields `{ role: 'asc' }` or measures `{ sum: { tokens: 'desc' } }`; then every group field not listed, ascending. */
function aggregateOrder(input: unknown, groupBy: readonly string[], measures: readonly AggregateMeasure[], issues: ValidationIssue[]): AggregateOrder[] {
  const terms: AggregateOrder[] = [];
  const items = input === undefined ? [] : Array.isArray(input) ? input : [input];
  const dir = (v: unknown, path: string): 'asc' | 'desc' | undefined => {
    if (v === 'asc' || v === 'desc') return v;
    issues.push({ path, message: 'expected "asc" or "desc"' });
    return undefined;
  };
  for (const [i, item] of items.entries()) {
    if (!isPlainObject(item)) {
      issues.push({ path: `orderBy[${i}]`, message: 'expected { field: "asc" | "desc" } or { sum: { field: "desc" } }' });
      continue;
    }
    if (Object.keys(item).length === 0) issues.push({ path: Array.isArray(input) ? `orderBy[${i}]` : 'orderBy', message: 'an empty sort term: name a groupBy field or a measure' });
    const named = sortKeysOf(item);
    if (Array.isArray(input) && named.length > 1) {
      // An item's keys would sort in key order, which the list form exists to make explicit.
      issues.push({ path: `orderBy[${i}]`, message: `one key per list item (found ${named.join(', ')}): write [{ sum: { a: 'desc' } }, { b: 'asc' }]` });
      continue;
    }
    for (const key of Object.keys(item)) {
      const v = item[key];
      if ((FNS as readonly string[]).includes(key) && isPlainObject(v)) {
        if (Object.keys(v).length === 0) issues.push({ path: `orderBy.${key}`, message: `name the measured field to order by, e.g. { ${key}: { ${key === 'count' ? '_all' : 'tokens'}: 'desc' } }` });
        for (const f of Object.keys(v)) {
          const path = `orderBy.${key}.${f}`;
          const m = measures.findIndex((x) => x.fn === key && (x.field ?? '_all') === f);
          if (m < 0) issues.push({ path, message: `order by a measure the aggregate computes (add ${f} to ${key})` });
          else {
            const d = dir(v[f], path);
            if (d) terms.push({ measure: m, direction: d });
          }
        }
        continue;
      }
      const g = groupBy.indexOf(key);
      if (g < 0) issues.push({ path: `orderBy.${key}`, message: 'order by a groupBy field or a measure' });
      else if (terms.some((t) => t.group === g)) issues.push({ path: `orderBy.${key}`, message: 'listed twice' });
      else {
        const d = dir(v, `orderBy.${key}`);
        if (d) terms.push({ group: g, direction: d });
      }
    }
  }
  for (let g = 0; g < groupBy.length; g++) if (!terms.some((t) => t.group === g)) terms.push({ group: g, direction: 'asc' });
  return terms;
}
