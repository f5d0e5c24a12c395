import { UnsupportedQueryError } from '@chatcore/core';
import { type Condition, type NormalizedQuery, type RepositorySchema } from '@chatcore/core/driver';

/**
 * Firestore's documented query limits that the driver checks before sending anything.
 *
 * @example
 * ```ts
 * const ids = Array.from({ length: 100 }, (_, i) => `m${i}`);
 * const chunks = Array.from({ length: Math.ceil(ids.length / FIRESTORE_LIMITS.maxIn) }, (_, i) => ids.slice(i * FIRESTORE_LIMITS.maxIn, (i + 1) * FIRESTORE_LIMITS.maxIn));
 * const found = (await Promise.all(chunks.map((c) => db.messages.find({ where: { id: { in: c } } })))).flat(); // one query per 30 ids
 * ```
 */
export const FIRESTORE_LIMITS = Object.freeze({
  /** Disjunctions in the filter's disjunctive normal form. */
  maxDisjunctions: 30,
  /** Values of one `in` filter. */
  maxIn: 30,
  /** Values of one `not-in` filter. */
  maxNotIn: 10,
  /** Fields with a range or inequality filter. */
  maxInequalityFields: 10,
});

/**
 * Facts about a filter that decide whether Firestore can serve it.
 *
 * @example
 * ```ts
 * const { dnf, inequalityFields } = filterShape(where);
 * ```
 */
export interface FilterShape {
  /** Fields (not id) with a range, `!=`, `not-in`, `!= null` or prefix filter. */
  readonly inequalityFields: ReadonlySet<string>;
  readonly notFilters: number;
  readonly hasNotIn: boolean;
  readonly hasInOrOr: boolean;
  readonly dnf: number;
  readonly idEquality: boolean;
  /** array-contains and array-contains-any filters. */
  readonly arrayFilters: number;
}

const INEQUALITY = new Set(['ne', 'gt', 'gte', 'lt', 'lte']);

/**
 * Measure a filter: its inequality fields, `!=`-type filters, DNF size.
 *
 * @example
 * ```ts
 * const shape = filterShape(where); if (shape.dnf > 30) ...
 * ```
 */
export function filterShape(c: Condition | undefined): FilterShape {
  const inequalityFields = new Set<string>();
  const shape = { inequalityFields, notFilters: 0, hasNotIn: false, hasInOrOr: false, dnf: 1, idEquality: false, arrayFilters: 0 };
  if (!c) return shape;
  const walk = (x: Condition): number => {
    switch (x.kind) {
      case 'cmp':
        if (x.op === 'ne') shape.notFilters++;
        if (INEQUALITY.has(x.op)) { if (x.field !== 'id') inequalityFields.add(x.field); }
        else if (x.field === 'id') shape.idEquality = true;
        return 1;
      case 'in':
        if (x.negate) {
          shape.notFilters++;
          shape.hasNotIn = true;
          if (x.field !== 'id') inequalityFields.add(x.field);
          if (x.values.length > FIRESTORE_LIMITS.maxNotIn) {
            throw unsupported(`Firestore's not-in takes at most ${FIRESTORE_LIMITS.maxNotIn} values (this one has ${x.values.length})`, 'notIn', 'split the list, or filter on a positive condition');
          }
          return 1;
        }
        shape.hasInOrOr = true;
        if (x.field === 'id') shape.idEquality = true;
        if (x.values.length > FIRESTORE_LIMITS.maxIn) {
          throw unsupported(`Firestore's in takes at most ${FIRESTORE_LIMITS.maxIn} values (this one has ${x.values.length})`, 'in', 'split the list into several queries of at most 30 values');
        }
        return x.values.length;
      case 'isNull':
        // On id it is a constant (ids are never null) and is not sent at all.
        if (!x.isNull && x.field !== 'id') {
          shape.notFilters++;
          inequalityFields.add(x.field);
        }
        return 1;
      case 'startsWith':
        if (x.field !== 'id') inequalityFields.add(x.field);
        if (x.negate) shape.hasInOrOr = true;
        return x.negate ? 2 : 1;
      case 'array':
        shape.arrayFilters++;
        if (x.values.length > 1) shape.hasInOrOr = true;
        if (x.values.length > FIRESTORE_LIMITS.maxIn) {
          throw unsupported(`Firestore's array-contains-any takes at most ${FIRESTORE_LIMITS.maxIn} values (this one has ${x.values.length})`, 'arrayContainsAny', 'split the list into several queries of at most 30 values');
        }
        return x.values.length;
      case 'text':
        return 1;
      case 'and':
        return x.conditions.reduce((n, y) => n * walk(y), 1);
      case 'or':
        shape.hasInOrOr = true;
        return x.conditions.reduce((n, y) => n + walk(y), 0);
    }
  };
  shape.dnf = walk(c);
  return shape;
}

/**
 * Raise UnsupportedQueryError, naming the Firestore limit, for a filter
 * Firestore would refuse. Nothing has been sent when this throws.
 *
 * @example
 * ```ts
 * checkFilter(schema, filterShape(query.where));
 * ```
 */
export function checkFilter(schema: RepositorySchema, shape: FilterShape): void {
  const L = FIRESTORE_LIMITS;
  if (shape.dnf > L.maxDisjunctions) {
    throw unsupported(`Firestore allows at most ${L.maxDisjunctions} disjunctions per query (in disjunctive normal form; each in-list value counts); this ${schema.name} filter has ${shape.dnf}`, 'disjunctions', 'split the query, or shorten the in-lists and or-branches');
  }
  if (shape.notFilters > 1) {
    throw unsupported('Firestore allows a single ne / notIn / isNull:false filter per query', 'notEqual', 'keep one of them and express the others as ranges or in-lists');
  }
  if (shape.arrayFilters > 1) {
    throw unsupported('Firestore allows one has / hasSome filter per query', 'arrayContains', 'keep one array filter and check the others in your code');
  }
  if (shape.hasNotIn && shape.hasInOrOr) {
    throw unsupported('Firestore cannot combine notIn with in, or, hasSome or a negated startsWith in one query', 'notIn', 'rewrite the notIn as ne or ranges, or run two queries');
  }
  if (shape.inequalityFields.size > L.maxInequalityFields) {
    throw unsupported(`Firestore allows range and inequality filters on at most ${L.maxInequalityFields} fields per query`, 'inequalityFields', 'filter fewer fields with ranges');
  }
  if (shape.idEquality && shape.inequalityFields.size > 0) {
    throw unsupported('Firestore refuses an equality on id combined with range or inequality filters on other fields, unless the id equality is a top-level condition', 'keyEquality', 'put the id condition at the top level of the filter');
  }
}

/**
 * Whether Firestore can return the rows in the query's order. It orders the
 * results of a range or inequality filter by the filtered field first, so
 * unless every such field is an orderBy key, the driver must sort the
 * matches itself: 'memory' (the caller caps how many it will sort), else
 * 'native'. 'any': the caller takes any matches (exists), in Firestore's
 * own order.
 *
 * @example
 * ```ts
 * if (orderMode(query, shape) === 'memory') ...
 * ```
 */
export function orderMode(query: NormalizedQuery, shape: FilterShape): 'native' | 'memory' | 'any' {
  if (query.anyOrder && query.offset === undefined && query.after === undefined) return 'any';
  const ordered = new Set(query.orderBy.map((t) => t.field));
  return [...shape.inequalityFields].every((f) => ordered.has(f)) ? 'native' : 'memory';
}

/**
 * The error for a query whose order Firestore cannot produce, once the
 * matches exceed what the driver sorts in memory (or when it sorts nothing).
 *
 * @example
 * ```ts
 * throw orderUnsupported(schema, query, shape, 1000);
 * ```
 */
export function orderUnsupported(schema: RepositorySchema, query: NormalizedQuery, shape: FilterShape, cap: number): UnsupportedQueryError {
  const ordered = new Set(query.orderBy.map((t) => t.field));
  const missing = [...shape.inequalityFields].filter((f) => !ordered.has(f));
  return unsupported(
    `Firestore orders the results of a range or inequality filter by the filtered field first, so this ${schema.name} query (filtered: ${missing.join(', ')}; ordered by: ${query.orderBy.map((t) => t.field).join(', ')}) is sorted by the driver, which sorts at most ${cap} matches (maxSortInMemory) and this filter matches more`,
    'inequalityOrder',
    `add ${missing.map((f) => `orderBy ${f}`).join(' and ')} before the other keys, or narrow the filter`,
  );
}

function unsupported(what: string, limit: string, fix: string): UnsupportedQueryError {
  return new UnsupportedQueryError(`${what}. Fix: ${fix}.`, { info: { backend: 'firestore', limit } });
}
