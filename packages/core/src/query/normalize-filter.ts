import { ValidationError, type ValidationIssue } from '../errors.js';
import type { FieldMeta } from '../schema/field-meta.js';
import { ORDERED_TYPES } from '../schema/field-meta.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import { SEALED } from '../schema/checked-schema.js';
import { describe, isPlainObject, validateValue, withArticle } from '../repository/validate-value.js';
import type { CmpOp, Condition, TextMatch } from './condition.js';
import { MALFORMED_STRING, isWellFormed } from '../util/well-formed.js';

const MAX_IN_LIST = 1000;
const MAX_DEPTH = 16;
const OPS = new Set(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'notIn', 'isNull', 'startsWith', 'contains', 'endsWith', 'mode', 'has', 'hasSome', 'hasEvery']);
const RANGE = new Set(['gt', 'gte', 'lt', 'lte']);
const STRING_OPS: ReadonlySet<string> = new Set(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'notIn', 'isNull', 'startsWith', 'contains', 'endsWith', 'mode']);
/** Operators `mode: 'insensitive'` applies to. */
const TEXT_OPS: ReadonlySet<string> = new Set(['eq', 'startsWith', 'contains', 'endsWith']);
const ARRAY_OPS: ReadonlySet<string> = new Set(['isNull', 'has', 'hasSome', 'hasEvery']);

/** The condition that matches nothing (`in: []`); only ever at the top after folding. */
export const FALSE: Condition = Object.freeze({ kind: 'or', conditions: Object.freeze([]) as readonly Condition[] });

/**
 * Why `not` around eq / in on an encrypted field is refused, like ne and
 * notIn: pushed down it becomes an inequality on the blind index, which
 * leaves out every row whose index collides with the value (or was copied
 * from another row), and the plugin never sees those rows to correct it.
 */
const NEGATED_LOOKUP = (op: string): string =>
  `${op} under not is not available on an encrypted field: a negated blind-index lookup would leave out the rows whose index collides with the value; select the rows you want with eq, in or isNull, or leave the value out after reading`;

/** What a field that is only tested for null (json, bytes, encrypted without a blind index) takes. */
const NULL_TESTS = 'only null tests apply (null, eq: null, ne: null, isNull)';

/** Why a field does not take an operator it does not allow. */
function refusedOp(meta: FieldMeta, op: string, allowed: ReadonlySet<string>): string {
  const nullOnly = allowed.size === 1 && allowed.has('isNull');
  if (!meta.sensitive) return `operator ${op} does not apply to ${withArticle(meta.type)} field${nullOnly ? `: ${NULL_TESTS}` : ''}`;
  if (meta.storedAs === SEALED && !meta.sensitive.searchable) return `operator ${op} is not available on a sealed field without a blind index: it is stored inside the record's envelope, where the database cannot test it; list it as clear (not sealed) to filter on it, or make it searchable for eq, in and null tests`;
  return `operator ${op} is not available on an encrypted field${nullOnly ? ` without a blind index: ${NULL_TESTS}` : ''}`;
}

/**
 * Whether `value`, given for a field, is an operator object rather than a
 * value to compare with (`eq`). On a json field a plain object could be
 * either; json is never compared by value, so an object whose keys are all
 * operators (`{ isNull: true }`, `{ eq: null }`, `{}`) is one, and any other
 * object is a value (refused as an eq of a json field).
 */
function isOperatorObject(meta: FieldMeta, value: unknown): value is Record<string, unknown> {
  if (!isPlainObject(value)) return false;
  return meta.type !== 'json' || Object.keys(value).every((k) => OPS.has(k));
}

/** `eq: null` and `ne: null` are the null tests, allowed wherever `isNull` is (json, bytes and encrypted fields too). */
function isNullTest(op: string, v: unknown, allowed: ReadonlySet<string>): boolean {
  return (op === 'eq' || op === 'ne') && v === null && allowed.has('isNull');
}

/** Operators a field allows, given its type and whether it is encrypted. */
function allowedOps(meta: FieldMeta): ReadonlySet<string> {
  if (meta.secret) return new Set();
  if (meta.sensitive) return new Set(meta.sensitive.searchable ? ['eq', 'in', 'isNull'] : meta.storedAs === SEALED ? [] : ['isNull']);
  switch (meta.type) {
    case 'string': case 'text':
      return STRING_OPS;
    case 'id':
      return new Set(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'notIn', 'isNull', 'startsWith']);
    case 'array':
      // Items that are themselves compared by value; encrypted items never reach here.
      return ARRAY_OPS;
    case 'json': case 'bytes':
      return new Set(['isNull']);
    case 'boolean': case 'enum':
      return new Set(['eq', 'ne', 'in', 'notIn', 'isNull', ...(meta.type === 'enum' ? RANGE : [])]);
    default:
      return ORDERED_TYPES.has(meta.type) ? new Set(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'notIn', 'isNull']) : new Set(['isNull']);
  }
}

/**
 * Validate a caller's filter against the schema and turn it into the
 * normalized Condition drivers receive: field names checked, values checked
 * and copied, `not` pushed down, constants folded. Returns undefined for
 * "every row" and FALSE for "no row".
 *
 * @example
 * ```ts
 * const cond = normalizeFilter(messages.schema, { conversationId: 'c1', createdAt: { gte: since } });
 * ```
 */
export function normalizeFilter(schema: RepositorySchema, filter: unknown, path = 'where'): Condition | undefined {
  return normalizeTestedFilter(schema, filter, path).where;
}

/**
 * `normalizeFilter`, also telling whether the filter tests anything: false
 * when it matches every record only because its tests are undefined or empty
 * (`{ userId: undefined }`, `{ tag: {} }`, `{ or: [{}] }`), true when a test
 * holds for every record (`{ id: { notIn: [] } }`) or narrows the match.
 *
 * @example
 * ```ts
 * normalizeTestedFilter(schema, { id: { notIn: [] } }); // { where: undefined, tests: true }
 * normalizeTestedFilter(schema, { userId: undefined }); // { where: undefined, tests: false }
 * ```
 */
export function normalizeTestedFilter(schema: RepositorySchema, filter: unknown, path = 'where'): { where: Condition | undefined; tests: boolean } {
  if (filter === undefined || filter === null) return { where: undefined, tests: false };
  const issues: ValidationIssue[] = [];
  const cond = walk(schema, filter, path, issues, 0, false);
  if (issues.length) throw new ValidationError(issues, { context: 'filter' });
  const where = fold(schema, cond);
  // Folded without a schema, a test that always holds is kept as a condition.
  return { where, tests: where !== undefined || fold(undefined, cond) !== undefined };
}

/**
 * normalizeFilter for a caller that checks more than the filter: problems
 * are added to `issues` (the caller throws them together, in one
 * ValidationError) and the result is undefined when there are any.
 *
 * @example
 * ```ts
 * const where = collectFilter(schema, input.where, 'where', issues);
 * if (issues.length) throw new ValidationError(issues, { context: 'query' });
 * ```
 */
export function collectFilter(schema: RepositorySchema, filter: unknown, path: string, issues: ValidationIssue[]): Condition | undefined {
  if (filter === undefined || filter === null) return undefined;
  const before = issues.length;
  const cond = walk(schema, filter, path, issues, 0, false);
  return issues.length > before ? undefined : fold(schema, cond);
}

/** `negated`: whether the filter sits under an odd number of `not`s (its tests are negated once pushed down). */
function walk(schema: RepositorySchema, filter: unknown, path: string, issues: ValidationIssue[], depth: number, negated: boolean): Condition {
  if (depth > MAX_DEPTH) {
    issues.push({ path, message: `filter nested deeper than ${MAX_DEPTH} levels` });
    return TRUE;
  }
  if (!isPlainObject(filter)) {
    issues.push({ path, message: `expected a filter object, got ${describe(filter)}` });
    return TRUE;
  }
  const parts: Condition[] = [];
  for (const key of Object.keys(filter)) {
    const value = filter[key];
    const here = `${path}.${key}`;
    if (value === undefined) continue;
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value)) {
        issues.push({ path: here, message: 'expected an array of filters' });
        continue;
      }
      const children = value.map((v, i) => walk(schema, v, `${here}[${i}]`, issues, depth + 1, negated));
      parts.push({ kind: key, conditions: children });
      continue;
    }
    if (key === 'not') {
      parts.push(negate(walk(schema, value, here, issues, depth + 1, !negated)));
      continue;
    }
    const meta = Object.hasOwn(schema.fields, key) ? schema.fields[key] : undefined;
    if (!meta) {
      // count, exists, updateMany and deleteMany take the filter itself, where find takes { where }.
      const hint = key === 'where' && depth === 0 && isPlainObject(value) ? ': a filter names fields directly, e.g. count({ name: \'Ada\' }); only find takes { where: { ... } }' : '';
      issues.push({ path: here, message: `unknown field${hint}` });
      continue;
    }
    if (meta.secret) {
      issues.push({ path: here, message: 'secret fields cannot be filtered (use verifySecret)' });
      continue;
    }
    const isOps = isOperatorObject(meta, value);
    const ops: Record<string, unknown> = isOps ? value : { eq: value };
    const allowed = allowedOps(meta);
    const insensitive = textMode(ops.mode, isOps ? `${here}.mode` : here, issues);
    if (insensitive && allowed.has('mode')) {
      for (const op of Object.keys(ops)) {
        if (op !== 'mode' && ops[op] !== undefined && OPS.has(op) && !TEXT_OPS.has(op) && allowed.has(op)) {
          issues.push({ path: `${here}.${op}`, message: `mode: 'insensitive' applies to eq, startsWith, contains and endsWith only; put ${op} in a separate condition (and: [...])` });
        }
      }
    }
    for (const op of Object.keys(ops)) {
      const v = ops[op];
      const opPath = isOps ? `${here}.${op}` : here;
      if (!OPS.has(op)) {
        issues.push({ path: opPath, message: `unknown operator (use ${[...allowed].join(', ') || 'none'})` });
        continue;
      }
      if (!allowed.has(op) && !isNullTest(op, v, allowed)) {
        issues.push({ path: opPath, message: refusedOp(meta, op, allowed) });
        continue;
      }
      if (v === undefined || op === 'mode') continue;
      if (negated && meta.sensitive && (op === 'in' || (op === 'eq' && v !== null))) {
        issues.push({ path: opPath, message: NEGATED_LOOKUP(op) });
        continue;
      }
      if (insensitive && TEXT_OPS.has(op)) parts.push(textLeaf(key, op === 'eq' ? 'equals' : op as TextMatch, v, true, opPath, issues));
      else parts.push(leaf(meta, key, op, v, opPath, issues));
    }
  }
  return parts.length === 1 ? parts[0]! : { kind: 'and', conditions: parts };
}

function leaf(meta: FieldMeta, field: string, op: string, v: unknown, path: string, issues: ValidationIssue[]): Condition {
  if (op === 'isNull') {
    if (typeof v !== 'boolean') issues.push({ path, message: 'expected true or false' });
    return { kind: 'isNull', field, isNull: v === true };
  }
  if (op === 'eq' || op === 'ne') {
    if (v === null) return { kind: 'isNull', field, isNull: op === 'eq' };
    return { kind: 'cmp', field, op, value: validateValue(meta, v, path, issues) };
  }
  if (op === 'in' || op === 'notIn') {
    if (!Array.isArray(v)) {
      issues.push({ path, message: 'expected an array' });
      return TRUE;
    }
    if (v.length > MAX_IN_LIST) return tooLong(v, path, issues);
    const values = v.map((x, i) => (x === null ? (issues.push({ path: `${path}[${i}]`, message: 'null is not allowed in a list (use isNull)' }), null) : validateValue(meta, x, `${path}[${i}]`, issues)));
    // An empty list stays a leaf until `not` is pushed down; fold() then decides (see emptyList).
    return { kind: 'in', field, values: dedupe(values), negate: op === 'notIn' };
  }
  if (op === 'startsWith') {
    checkText(v, path, issues);
    return { kind: 'startsWith', field, prefix: String(v), negate: false };
  }
  if (op === 'contains' || op === 'endsWith') return textLeaf(field, op, v, false, path, issues);
  if (op === 'has' || op === 'hasSome' || op === 'hasEvery') return arrayLeaf(meta, field, op, v, path, issues);
  if (v === null) issues.push({ path, message: `${op} needs a value (use isNull for nulls)` });
  return { kind: 'cmp', field, op: op as CmpOp, value: v === null ? null : validateValue(meta, v, path, issues) };
}

/** Whether an ops object asks for case-insensitive matching (`mode: 'insensitive'`). */
function textMode(mode: unknown, path: string, issues: ValidationIssue[]): boolean {
  if (mode === undefined || mode === 'default') return false;
  if (mode === 'insensitive') return true;
  issues.push({ path, message: `expected 'insensitive' or 'default', got ${describe(mode)}` });
  return false;
}

function checkText(v: unknown, path: string, issues: ValidationIssue[]): void {
  if (typeof v !== 'string') issues.push({ path, message: `expected a string, got ${describe(v)}` });
  else if (v.includes('\u0000')) issues.push({ path, message: 'string contains a NUL character' });
  else if (!isWellFormed(v)) issues.push({ path, message: `the value is ${MALFORMED_STRING}` });
}

function textLeaf(field: string, match: TextMatch, v: unknown, insensitive: boolean, path: string, issues: ValidationIssue[]): Condition {
  if (v === null) {
    issues.push({ path, message: `${match === 'equals' ? 'eq' : match} with mode: 'insensitive' needs a string (use isNull for nulls)` });
    return TRUE;
  }
  checkText(v, path, issues);
  return { kind: 'text', field, match, value: String(v), insensitive, negate: false };
}

/**
 * `has x` is `hasSome [x]`; `hasEvery` of one value is the same test, so
 * backends with a single-value "array contains" (Firestore) serve both.
 * `hasSome []` matches nothing and `hasEvery []` every non-null array
 * (an empty list is folded once negations are pushed down: emptyList).
 */
function arrayLeaf(meta: FieldMeta, field: string, op: 'has' | 'hasSome' | 'hasEvery', v: unknown, path: string, issues: ValidationIssue[]): Condition {
  const items = meta.items!;
  const one = (x: unknown, p: string) => (x === null || x === undefined ? (issues.push({ path: p, message: 'null is not a value an array holds' }), null) : validateValue(items, x, p, issues));
  if (op === 'has') return { kind: 'array', field, match: 'some', values: [one(v, path)], negate: false };
  if (!Array.isArray(v)) {
    issues.push({ path, message: 'expected an array' });
    return TRUE;
  }
  if (v.length > MAX_IN_LIST) return tooLong(v, path, issues);
  const values = dedupe(v.map((x, i) => one(x, `${path}[${i}]`)));
  if (values.length === 0) return { kind: 'array', field, match: op === 'hasEvery' ? 'every' : 'some', values, negate: false };
  return { kind: 'array', field, match: op === 'hasEvery' && values.length > 1 ? 'every' : 'some', values, negate: false };
}

/**
 * A list past MAX_IN_LIST is refused for its length alone: checking its
 * items too gave one issue per bad item (a million for a million-item
 * list, seconds of CPU and an error as large as the input).
 */
function tooLong(v: readonly unknown[], path: string, issues: ValidationIssue[]): Condition {
  issues.push({ path, message: `${v.length} values, more than the ${MAX_IN_LIST} a list may hold; split the query or filter on another field` });
  return TRUE;
}

function dedupe(values: unknown[]): unknown[] {
  const seen = new Set<unknown>();
  const out: unknown[] = [];
  for (const v of values) {
    const key = v instanceof Date ? `d${v.getTime()}` : typeof v === 'bigint' ? `b${v}` : v;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(v);
    }
  }
  return out;
}

const TRUE: Condition = Object.freeze({ kind: 'and', conditions: Object.freeze([]) as readonly Condition[] });
const NEGATED_CMP: Record<CmpOp, CmpOp> = { eq: 'ne', ne: 'eq', gt: 'lte', gte: 'lt', lt: 'gte', lte: 'gt' };

/**
 * Push a negation down to the leaves. Under three-valued logic NOT(a > x)
 * and a <= x both exclude nulls, so every rewrite keeps null semantics.
 *
 * @example
 * ```ts
 * negate({ kind: 'cmp', field: 'age', op: 'gt', value: 3 }); // { ..., op: 'lte' }
 * ```
 */
export function negate(c: Condition): Condition {
  switch (c.kind) {
    case 'cmp': return { ...c, op: NEGATED_CMP[c.op] };
    case 'in': return { ...c, negate: !c.negate };
    case 'isNull': return { ...c, isNull: !c.isNull };
    case 'startsWith': return { ...c, negate: !c.negate };
    case 'text': return { ...c, negate: !c.negate };
    case 'array': return { ...c, negate: !c.negate };
    case 'and': return { kind: 'or', conditions: c.conditions.map(negate) };
    case 'or': return { kind: 'and', conditions: c.conditions.map(negate) };
  }
}

/**
 * A test of an empty list, once negations are settled: `in []` and
 * `hasSome []` hold for no record; `hasEvery []` holds for every non-null
 * array. Negated, each holds for the records where it failed, never for a
 * null field (a test of null is unknown, and so is its negation). On the id
 * or a required field, which are never null, that is every record: the test
 * is dropped (undefined) rather than sent as `isNull: false`, which some
 * backends cannot run on the id or count as an inequality of its own.
 */
function emptyList(schema: RepositorySchema | undefined, c: Extract<Condition, { kind: 'in' | 'array' }>): Condition | undefined {
  const holdsForValues = c.kind === 'array' && c.match === 'every';
  if (holdsForValues === c.negate) return FALSE;
  const meta = schema?.fields[c.field];
  return schema !== undefined && (c.field === 'id' || (meta !== undefined && !meta.optional)) ? undefined : { kind: 'isNull', field: c.field, isNull: false };
}

/**
 * Flatten nested and/or, drop TRUE terms, fold FALSE and tests of empty
 * lists. Returns undefined for TRUE. Without a schema, tests of empty lists
 * that always hold are kept (normalizeTestedFilter).
 */
function fold(schema: RepositorySchema | undefined, c: Condition): Condition | undefined {
  if ((c.kind === 'in' || c.kind === 'array') && c.values.length === 0) return emptyList(schema, c);
  if (c.kind !== 'and' && c.kind !== 'or') return c;
  const out: Condition[] = [];
  for (const child of c.conditions) {
    const f = fold(schema, child);
    if (f === undefined) {
      if (c.kind === 'or') return undefined; // x OR true
      continue;
    }
    if (f.kind === 'or' && f.conditions.length === 0) {
      if (c.kind === 'and') return FALSE; // x AND false
      continue;
    }
    if (f.kind === c.kind) out.push(...f.conditions);
    else out.push(f);
  }
  if (out.length === 0) return c.kind === 'and' ? undefined : FALSE;
  if (out.length === 1) return out[0];
  return { kind: c.kind, conditions: out };
}
