import type { Condition, NormalizedQuery, RepositorySchema, StoredRow } from '@chatcore/core';
import { FALSE_CONDITION, idTargets } from './id-targets.js';
import { assertSchemaNames, idProblem } from './document-rules.js';
import { checkFilter, checkOrder, filterShape } from './query-limits.js';
import { buildQuery } from './native-query.js';
import { isAfter, matches, rowComparator } from './memory-order.js';
import { decodeRow } from './value-codec.js';
import type { DriverContext, Reader } from './reader.js';

const GET_ALL_CHUNK = 500;

/** Fetch rows by id with a reader; missing and impossible ids are absent. */
export async function readByIds(ctx: DriverContext, reader: Reader, schema: RepositorySchema, ids: readonly string[], select?: readonly string[]): Promise<StoredRow[]> {
  assertSchemaNames(schema);
  const col = ctx.collection(schema);
  const valid = [...new Set(ids)].filter((id) => !idProblem(id));
  const fields = select?.filter((f) => f !== 'id');
  const out: StoredRow[] = [];
  for (let i = 0; i < valid.length; i += GET_ALL_CHUNK) {
    const refs = valid.slice(i, i + GET_ALL_CHUNK).map((id) => col.doc(id));
    for (const snap of await reader.getAll(refs, fields)) {
      if (snap.exists) out.push(decodeRow(schema, snap.id, snap.data()!, select));
    }
  }
  return out;
}

/**
 * Run a normalized query. Top-level id conditions are served by reading
 * those documents (Firestore refuses id equality next to other ranges);
 * everything else becomes one native query, after the limit checks.
 * `byIds` lets a transaction answer id reads from its own pending writes.
 *
 * @example
 * ```ts
 * const rows = await readQuery(ctx, reader, schema, query, (ids) => readByIds(ctx, reader, schema, ids));
 * ```
 */
export async function readQuery(
  ctx: DriverContext, reader: Reader, schema: RepositorySchema, query: NormalizedQuery,
  byIds: (ids: readonly string[]) => Promise<StoredRow[]>,
): Promise<StoredRow[]> {
  assertSchemaNames(schema);
  if (query.where === FALSE_CONDITION || isFalse(query.where)) return [];
  const targets = idTargets(query.where);
  if (targets) {
    let rows = (await byIds(targets.ids)).filter((r) => matches(targets.rest, r));
    rows.sort(rowComparator(query.orderBy));
    if (query.after) rows = rows.filter((r) => isAfter(r, query.orderBy, query.after!));
    const start = query.offset ?? 0;
    rows = rows.slice(start, query.limit === undefined ? undefined : start + query.limit);
    return query.select ? rows.map((r) => project(r, query.select!)) : rows;
  }
  const shape = filterShape(query.where);
  checkFilter(schema, shape);
  const sortInMemory = checkOrder(schema, query, shape);
  let order = query.orderBy;
  if (sortInMemory) {
    const head = query.orderBy.filter((t) => t.field !== 'id');
    const extra = [...shape.inequalityFields].filter((f) => !head.some((t) => t.field === f)).map((field) => ({ field, direction: 'asc' as const }));
    order = [...head, ...extra, query.orderBy.at(-1)!];
  }
  const select = query.select && sortInMemory ? [...new Set([...query.select, ...order.map((t) => t.field)])] : query.select;
  const q = buildQuery(ctx.collection(schema), schema, { ...query, select }, order);
  if (!q) return [];
  const snap = await reader.query(q);
  const rows = snap.docs.map((d) => decodeRow(schema, d.id, d.data(), query.select));
  if (sortInMemory) rows.sort(rowComparator(query.orderBy));
  return rows;
}

/**
 * Count the rows matching `where` with an aggregation query (or by reading
 * the targeted ids).
 *
 * @example
 * ```ts
 * const n = await countRows(ctx, reader, schema, where, byIds);
 * ```
 */
export async function countRows(
  ctx: DriverContext, reader: Reader, schema: RepositorySchema, where: Condition | undefined,
  byIds: (ids: readonly string[]) => Promise<StoredRow[]>,
): Promise<number> {
  assertSchemaNames(schema);
  if (isFalse(where)) return 0;
  const targets = idTargets(where);
  if (targets) return (await byIds(targets.ids)).filter((r) => matches(targets.rest, r)).length;
  checkFilter(schema, filterShape(where));
  const q = buildQuery(ctx.collection(schema), schema, { where, orderBy: [] }, []);
  if (!q) return 0;
  return reader.count(q.count());
}

/** Keep only the selected fields of a row. */
export function project(row: StoredRow, select: readonly string[]): StoredRow {
  const out: StoredRow = {};
  for (const f of select) out[f] = row[f] ?? null;
  return out;
}

function isFalse(c: Condition | undefined): boolean {
  return c !== undefined && c.kind === 'or' && c.conditions.length === 0;
}
