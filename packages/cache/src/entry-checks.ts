import { evaluateCondition, THROUGH_PARENT } from '@chatcore/core/driver';
import { conditionFields, type Condition, type NormalizedAggregate, type NormalizedQuery } from '@chatcore/core/plugin';

/**
 * A check of a value read from the shared tier against the read it is to
 * answer: undefined when it can be that read's answer, else the reason it
 * cannot (it is then dropped, and the read goes to the database).
 *
 * @example
 * ```ts
 * const check: EntryCheck = getCheck(id, true);
 * check({ id: 'someone-else' }); // 'id'
 * ```
 */
export type EntryCheck = (value: unknown) => string | undefined;

const isRow = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A get by id is answered by null (not found) or by the row of that id.
 * `idSelected` is false for a projection without `id` (the id cannot be compared then).
 *
 * @example
 * ```ts
 * getCheck('0190...', true)({ id: '0190...' }); // undefined: fine
 * ```
 */
export function getCheck(id: string, idSelected: boolean): EntryCheck {
  return (v) => (v === null ? undefined : !isRow(v) ? 'shape' : idSelected && v.id !== id ? 'id' : undefined);
}

/** Whether a condition holds a test whose outcome the backend decides (see `refutes`). */
function backendDecided(c: Condition): boolean {
  if (c.kind === 'and' || c.kind === 'or') return c.conditions.some(backendDecided);
  return c.kind === 'text' && c.insensitive;
}

/**
 * Whether a row certainly fails a condition, in three-valued logic: a
 * case-insensitive text test is unknown, since the lowercase mapping is the
 * backend's ICU, which may differ from Node's (docs/queries.md); every other
 * test is core's reference evaluation. A row fails only when the unknown
 * tests cannot change the outcome (a failed equality beside one still fails).
 * Core has pushed negations to the leaves, so none sits above an unknown.
 */
function refutes(c: Condition, row: Record<string, unknown>): boolean | undefined {
  if (c.kind === 'and' || c.kind === 'or') {
    let unknown = false;
    for (const x of c.conditions) {
      const r = refutes(x, row);
      if (r === undefined) unknown = true;
      else if (r === (c.kind === 'and')) return r;
    }
    return unknown ? undefined : c.kind === 'or';
  }
  if (c.kind === 'text' && c.insensitive) return undefined;
  return !evaluateCondition(c, row);
}

/**
 * Rows of a query satisfy its filter (core's reference evaluation, the one
 * every driver is held to) and number at most its limit. A row whose
 * projection leaves out a filtered field is not compared (it cannot be), nor
 * is a case-insensitive test: its outcome depends on the backend's lowercase
 * mapping (the row is refused only when the rest of the filter rules it out).
 *
 * @example
 * ```ts
 * queryCheck(op.query)([{ id: 'a', emailIdx: 'other' }]); // 'filter'
 * ```
 */
export function queryCheck(q: NormalizedQuery): EntryCheck {
  const fields = [...conditionFields(q.where)];
  const decided = q.where !== undefined && backendDecided(q.where);
  const through = q.through;
  return (v) => {
    if (!Array.isArray(v)) return 'shape';
    if (q.limit !== undefined && v.length > q.limit) return 'limit';
    const perParent = through ? new Map<unknown, number>(through.keys.map((k) => [k, 0])) : undefined;
    for (const row of v) {
      if (!isRow(row)) return 'shape';
      if (q.where && fields.every((f) => f in row) && (decided ? refutes(q.where, row) === true : !evaluateCondition(q.where, row))) return 'filter';
      if (perParent) {
        // A row of a through query belongs to one of the asked parents, at most `limit` rows each.
        const n = perParent.get(row[THROUGH_PARENT]);
        if (n === undefined) return 'filter';
        if (n >= through!.limit) return 'limit';
        perParent.set(row[THROUGH_PARENT], n + 1);
      }
    }
    return undefined;
  };
}

/**
 * A count is a non-negative integer.
 *
 * @example
 * ```ts
 * countCheck(-1); // 'shape'
 * ```
 */
export const countCheck: EntryCheck = (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? undefined : 'shape');

/**
 * Groups of an aggregate have its shape: an array of at most `limit`
 * groups, each with as many group values as `groupBy` fields and as many
 * measure values as measures. (Measures cannot be checked against the
 * rows; the MAC binds the entry to its key.)
 *
 * @example
 * ```ts
 * aggregateCheck({ groupBy: ['status'], measures: [{ fn: 'count' }], orderBy: [] })([{ group: [], values: [1] }]); // 'shape'
 * ```
 */
export function aggregateCheck(a: NormalizedAggregate): EntryCheck {
  return (v) => {
    if (!Array.isArray(v)) return 'shape';
    if (a.limit !== undefined && v.length > a.limit) return 'limit';
    for (const g of v) {
      if (g === null || typeof g !== 'object') return 'shape';
      const { group, values } = g as { group?: unknown; values?: unknown };
      if (!Array.isArray(group) || group.length !== a.groupBy.length) return 'shape';
      if (!Array.isArray(values) || values.length !== a.measures.length) return 'shape';
    }
    return undefined;
  };
}
