import { ValidationError, type ValidationIssue } from '../errors.js';
import { ORDERED_TYPES } from '../schema/field-meta.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import { isPlainObject, describe, withArticle } from '../repository/validate-value.js';
import type { NormalizedQuery, OrderTerm } from './condition.js';
import { collectFilter } from './normalize-filter.js';
import { decodeCursor } from './cursor.js';

/**
 * Largest page a single find may return.
 *
 * @example
 * ```ts
 * const limit = Math.min(pageSize, MAX_LIMIT); // a larger limit is a ValidationError
 * const page = await db.messages.findPage({ where: { conversationId }, limit });
 * ```
 */
export const MAX_LIMIT = 10_000;
/**
 * Largest offset (deep offsets are slow everywhere; use cursors).
 *
 * @example
 * ```ts
 * if (offset > MAX_OFFSET) throw new RangeError('Page too deep: follow nextCursor instead.');
 * const rows = await db.messages.find({ orderBy: { sentAt: 'desc' }, offset, limit: 50 });
 * ```
 */
export const MAX_OFFSET = 1_000_000;
const QUERY_KEYS = new Set(['where', 'orderBy', 'limit', 'offset', 'after', 'select', 'distinct']);

/**
 * A normalized find query, and the fields the caller asked for (to trim
 * the result) when it selects.
 *
 * @example
 * ```ts
 * const { query, requested }: NormalizedFind = normalizeQuery(schema, { select: ['name'] });
 * ```
 */
export interface NormalizedFind {
  readonly query: NormalizedQuery;
  readonly requested?: readonly string[] | undefined;
}

/**
 * Validate a caller's find query and normalize it for drivers: the filter
 * becomes a Condition, orderBy gets the id tie-breaker, the cursor is decoded
 * and checked, and `select` is widened to id plus the order fields.
 * Also returns which fields the caller asked for, to trim the result.
 * Every problem of where, orderBy, select, limit, offset and distinct
 * comes in one ValidationError.
 *
 * @example
 * ```ts
 * const { query, requested } = normalizeQuery(schema, { where: { role: 'user' }, orderBy: { createdAt: 'desc' }, limit: 20 });
 * ```
 */
export function normalizeQuery(schema: RepositorySchema, input: unknown): NormalizedFind {
  const issues: ValidationIssue[] = [];
  const found = collectQuery(schema, input, issues);
  if (!found) throw new ValidationError(issues, { context: 'query' });
  return found;
}

/**
 * normalizeQuery for a caller that checks more than the query (its
 * `include`, say): problems are added to `issues`, to be thrown together,
 * and the result is undefined when `issues` holds any (the caller's
 * included; the cursor is then not decoded). A valid query allocates no
 * more than normalizeQuery did.
 *
 * @example
 * ```ts
 * const found = collectQuery(schema, rest, issues);
 * if (!found) throw new ValidationError(issues, { context: 'query' });
 * ```
 */
export function collectQuery(schema: RepositorySchema, input: unknown, issues: ValidationIssue[]): NormalizedFind | undefined {
  if (input === undefined || input === null) return issues.length ? undefined : { query: { orderBy: [{ field: 'id', direction: 'asc' }] } };
  if (!isPlainObject(input)) {
    issues.push({ path: '(query)', message: `expected a query object, got ${describe(input)}` });
    return undefined;
  }
  for (const key of Object.keys(input)) {
    if (QUERY_KEYS.has(key)) continue;
    const field = Object.hasOwn(schema.fields, key) ? `: ${key} is a field; filters go in where, e.g. find({ where: { ${key}: ... } })` : ` (use ${[...QUERY_KEYS].join(', ')})`;
    issues.push({ path: key, message: `unknown query option${field}` });
  }
  const orderBy = normalizeOrderBy(schema, input.orderBy, issues);
  const limit = intInRange(input.limit, 'limit', 1, MAX_LIMIT, issues);
  const offset = intInRange(input.offset, 'offset', 0, MAX_OFFSET, issues);
  const requested = normalizeSelect(schema, input.select, issues);
  const distinct = normalizeDistinct(schema, input.distinct, issues);
  if (distinct && input.after !== undefined && input.after !== null) issues.push({ path: 'distinct', message: 'distinct cannot be combined with a cursor (after); use limit and offset' });
  const where = collectFilter(schema, input.where, 'where', issues);
  if (issues.length) return undefined;
  const after = input.after === undefined || input.after === null ? undefined : decodeCursor(schema, orderBy, input.after, where);
  let select: string[] | undefined;
  if (requested) {
    select = ['id', ...requested.filter((f) => f !== 'id')];
    for (const t of orderBy) if (!select.includes(t.field)) select.push(t.field);
  }
  const query = distinct ? { where, orderBy, limit, offset, after, select, distinct } : { where, orderBy, limit, offset, after, select };
  return { query, requested: requested ? ['id', ...requested.filter((f) => f !== 'id')] : undefined };
}

/** `select`: a non-empty list of readable fields (secret ones never are). */
function normalizeSelect(schema: RepositorySchema, input: unknown, issues: ValidationIssue[]): string[] | undefined {
  if (input === undefined) return undefined;
  if (!Array.isArray(input) || input.length === 0) {
    issues.push({ path: 'select', message: 'expected a non-empty array of field names' });
    return undefined;
  }
  const requested: string[] = [];
  for (const [i, name] of input.entries()) {
    const meta = typeof name === 'string' && Object.hasOwn(schema.fields, name) ? schema.fields[name] : undefined;
    if (!meta) issues.push({ path: `select[${i}]`, message: 'unknown field' });
    else if (meta.secret) issues.push({ path: `select[${i}]`, message: 'secret fields are never returned' });
    else requested.push(name);
  }
  return requested;
}

/** `distinct`: a non-empty list of fields compared by value (not json or bytes; not encrypted: ciphertexts of equal values differ). */
function normalizeDistinct(schema: RepositorySchema, input: unknown, issues: ValidationIssue[]): string[] | undefined {
  if (input === undefined || input === null) return undefined;
  if (!Array.isArray(input) || input.length === 0) {
    issues.push({ path: 'distinct', message: 'expected a non-empty array of field names' });
    return undefined;
  }
  const out: string[] = [];
  for (const [i, name] of input.entries()) {
    const meta = typeof name === 'string' && Object.hasOwn(schema.fields, name) ? schema.fields[name] : undefined;
    const path = `distinct[${i}]`;
    if (!meta) issues.push({ path, message: 'unknown field' });
    else if (meta.secret || meta.sensitive) issues.push({ path, message: 'encrypted and secret fields cannot be distinct keys' });
    else if (meta.type === 'json' || meta.type === 'bytes') issues.push({ path, message: `a ${meta.type} field cannot be a distinct key` });
    else if (out.includes(name as string)) issues.push({ path, message: 'listed twice' });
    else out.push(name as string);
  }
  return out;
}

function normalizeOrderBy(schema: RepositorySchema, input: unknown, issues: ValidationIssue[]): OrderTerm[] {
  const terms: OrderTerm[] = [];
  const list = input === undefined ? [] : Array.isArray(input) ? input : [input];
  for (const [i, item] of list.entries()) {
    if (!isPlainObject(item)) {
      issues.push({ path: `orderBy[${i}]`, message: 'expected { field: "asc" | "desc" }' });
      continue;
    }
    if (Array.isArray(input) && Object.keys(item).length > 1) {
      // An item's keys would sort in key order, which the list form exists to make explicit.
      issues.push({ path: `orderBy[${i}]`, message: `one key per list item (found ${Object.keys(item).join(', ')}): write [{ a: 'asc' }, { b: 'desc' }]` });
      continue;
    }
    for (const field of Object.keys(item)) {
      const dir = item[field];
      const meta = Object.hasOwn(schema.fields, field) ? schema.fields[field] : undefined;
      const path = `orderBy.${field}`;
      if (!meta) issues.push({ path, message: 'unknown field' });
      else if (meta.sensitive || meta.secret) issues.push({ path, message: 'encrypted and secret fields cannot be sort keys' });
      else if (!ORDERED_TYPES.has(meta.type)) issues.push({ path, message: `${withArticle(meta.type)} field cannot be a sort key` });
      else if (dir !== 'asc' && dir !== 'desc') issues.push({ path, message: 'expected "asc" or "desc"' });
      else if (terms.some((t) => t.field === field)) issues.push({ path, message: 'listed twice' });
      else terms.push({ field, direction: dir });
    }
  }
  if (!terms.some((t) => t.field === 'id')) terms.push({ field: 'id', direction: terms.at(-1)?.direction ?? 'asc' });
  else if (terms.at(-1)!.field !== 'id') {
    // id is unique: anything after it never decides the order, so cut there.
    terms.splice(terms.findIndex((t) => t.field === 'id') + 1);
  }
  return terms;
}

function intInRange(v: unknown, path: string, min: number, max: number, issues: ValidationIssue[]): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    issues.push({ path, message: `expected an integer from ${min} to ${max}` });
    return undefined;
  }
  return v;
}
