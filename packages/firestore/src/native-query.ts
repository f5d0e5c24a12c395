import { FieldPath, Filter, type CollectionReference, type Query, type WhereFilterOp } from '@google-cloud/firestore';
import { UnsupportedQueryError } from '@chatcore/core';
import { type Condition, type NormalizedQuery, type OrderTerm, type RepositorySchema } from '@chatcore/core/driver';
import { encodeValue } from './value-codec.js';
import { idProblem } from './document-rules.js';

const OPS: Record<string, WhereFilterOp> = { eq: '==', ne: '!=', gt: '>', gte: '>=', lt: '<', lte: '<=' };
const NOTHING = Symbol('nothing');

/**
 * The smallest string after every string that starts with `prefix` (in code
 * point order), or undefined when there is none.
 *
 * @example
 * ```ts
 * prefixEnd('ab'); // 'ac'
 * ```
 */
export function prefixEnd(prefix: string): string | undefined {
  const cps = [...prefix];
  while (cps.length) {
    const cp = cps.pop()!.codePointAt(0)!;
    if (cp === 0x10ffff) continue;
    const next = cp === 0xd7ff ? 0xe000 : cp + 1;
    return cps.join('') + String.fromCodePoint(next);
  }
  return undefined;
}

function path(field: string): string | FieldPath {
  return field === 'id' ? FieldPath.documentId() : field;
}

function operand(schema: RepositorySchema, field: string, value: unknown): unknown {
  if (field === 'id') {
    if (idProblem(value)) return NOTHING;
    return value;
  }
  return encodeValue(schema.fields[field]!, value);
}

/**
 * Translate a normalized condition into a Firestore Filter. Returns null
 * for a condition that can match nothing (e.g. an id that cannot exist) and
 * undefined for one that matches everything.
 *
 * @example
 * ```ts
 * const filter = toFilter(schema, { kind: 'cmp', field: 'age', op: 'gt', value: 3 });
 * ```
 */
export function toFilter(schema: RepositorySchema, c: Condition): Filter | null | undefined {
  switch (c.kind) {
    case 'cmp': {
      const v = operand(schema, c.field, c.value);
      if (v === NOTHING) {
        // No document has such an id: equal to it matches nothing, different from it everything.
        if (c.op === 'eq') return null;
        if (c.op === 'ne') return undefined;
        throw new UnsupportedQueryError(`Firestore cannot compare ids by order with a value that is not a valid document id (${idProblem(c.value)}); eq and ne with it are answered (nothing and everything).`, { info: { backend: 'firestore', limit: 'documentId' } });
      }
      return Filter.where(path(c.field), OPS[c.op]!, v);
    }
    case 'in': {
      const values = c.values.map((v) => operand(schema, c.field, v)).filter((v) => v !== NOTHING);
      if (values.length === 0) return c.negate ? undefined : null;
      return Filter.where(path(c.field), c.negate ? 'not-in' : 'in', values);
    }
    case 'isNull':
      // A document id is never null, and the SDK refuses null as an id operand.
      if (c.field === 'id') return c.isNull ? null : undefined;
      return Filter.where(path(c.field), c.isNull ? '==' : '!=', null);
    case 'startsWith': {
      const end = prefixEnd(c.prefix);
      const p = path(c.field);
      // Every id starts with '' (and none fails to).
      if (c.field === 'id' && c.prefix === '') return c.negate ? null : undefined;
      if (c.field === 'id' && (idProblem(c.prefix) || (end && idProblem(end)))) {
        throw new UnsupportedQueryError('Firestore cannot run a prefix filter on id with this prefix (it is not a valid document id).', { info: { backend: 'firestore', limit: 'documentId' } });
      }
      if (c.negate) {
        const below = Filter.where(p, '<', c.prefix);
        return end === undefined ? below : Filter.or(below, Filter.where(p, '>=', end));
      }
      const from = Filter.where(p, '>=', c.prefix);
      return end === undefined ? from : Filter.and(from, Filter.where(p, '<', end));
    }
    case 'array': {
      // Core refuses negated and multi-value every conditions (capabilities) before they get here.
      const values = c.values.map((v) => encodeValue(schema.fields[c.field]!.items!, v));
      return values.length === 1 ? Filter.where(c.field, 'array-contains', values[0]) : Filter.where(c.field, 'array-contains-any', values);
    }
    case 'text':
      throw new UnsupportedQueryError(`Firestore has no substring or case-insensitive match (${c.field}); store a lowercase copy or the words of the field and filter on it.`, { info: { backend: 'firestore', limit: 'text' } });
    case 'and': {
      const parts: Filter[] = [];
      for (const x of c.conditions) {
        const f = toFilter(schema, x);
        if (f === null) return null;
        if (f !== undefined) parts.push(f);
      }
      return parts.length === 0 ? undefined : parts.length === 1 ? parts[0]! : Filter.and(...parts);
    }
    case 'or': {
      const all = c.conditions.map((x) => toFilter(schema, x));
      if (all.includes(undefined)) return undefined;
      const parts = all.filter((f): f is Filter => f !== null && f !== undefined);
      return parts.length === 0 ? null : parts.length === 1 ? parts[0]! : Filter.or(...parts);
    }
  }
}

/**
 * Build the SDK query for a normalized query. `order` is the order to ask
 * Firestore for (the query's, or a servable one when the driver sorts in
 * memory afterwards). Returns null when the filter matches nothing.
 *
 * @example
 * ```ts
 * const q = buildQuery(collection, schema, query, query.orderBy);
 * ```
 */
export function buildQuery(collection: CollectionReference, schema: RepositorySchema, query: NormalizedQuery, order: readonly OrderTerm[]): Query | null {
  let q: Query = collection;
  if (query.where) {
    const filter = toFilter(schema, query.where);
    if (filter === null) return null;
    if (filter !== undefined) q = q.where(filter);
  }
  for (const t of order) q = q.orderBy(path(t.field), t.direction);
  if (query.after) q = q.startAfter(...query.after.map((v, i) => operand(schema, order[i]!.field, v)));
  if (query.offset) q = q.offset(query.offset);
  if (query.limit !== undefined) q = q.limit(query.limit);
  if (query.select) {
    const fields = query.select.filter((f) => f !== 'id');
    q = fields.length ? q.select(...fields) : q.select();
  }
  return q;
}
