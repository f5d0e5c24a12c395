import type { Condition, NormalizedQuery, RepositorySchema, StoredRow } from '@chatcore/core/driver';
import { idTargets } from './id-targets.js';
import { assertSchemaNames, idProblem } from './document-rules.js';
import { checkFilter, filterShape, orderMode, orderUnsupported } from './query-limits.js';
import { buildQuery } from './native-query.js';
import { checkEmulatorOrder } from './emulator-order.js';
import { evaluateCondition as matches, isAfterCursor as isAfter, sortRows } from '@chatcore/core/driver';
import { decodeRow } from './value-codec.js';
import type { DriverContext, Reader } from './reader.js';

const GET_ALL_CHUNK = 500;

/**
 * Fetch rows by id with a reader; missing and impossible ids are absent.
 *
 * @example
 * ```ts
 * const rows = await readByIds(ctx, directReader(db), schema, ['a', 'b']);
 * ```
 */
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
 * everything else becomes one native query, after the limit checks. When
 * Firestore cannot produce the order (a range on a field that is not a
 * sort key), the matches, at most `maxSortInMemory`, are ordered here.
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
  if (isFalse(query.where)) return [];
  const targets = idTargets(query.where);
  if (targets) {
    return finish((await byIds(targets.ids)).filter((r) => matches(targets.rest, r)), query);
  }
  const shape = filterShape(query.where);
  checkFilter(schema, shape);
  const col = ctx.collection(schema);
  const mode = orderMode(query, shape);
  if (mode === 'any') {
    const q = buildQuery(col, schema, { ...query, orderBy: [] }, []);
    if (!q) return [];
    return (await reader.query(q)).docs.map((d) => decodeRow(schema, d.id, d.data(), query.select));
  }
  if (mode === 'native') {
    if (ctx.emulator) checkEmulatorOrder(schema, query);
    const q = buildQuery(col, schema, query, query.orderBy);
    if (!q) return [];
    const snap = await reader.query(q);
    return snap.docs.map((d) => decodeRow(schema, d.id, d.data(), query.select));
  }
  // Firestore would order by the filtered fields: fetch the matches (at most the cap), order them here.
  const cap = ctx.maxSortInMemory;
  if (cap === 0) throw orderUnsupported(schema, query, shape, cap);
  const select = query.select ? [...new Set([...query.select, ...query.orderBy.map((t) => t.field)])] : undefined;
  const q = buildQuery(col, schema, { where: query.where, orderBy: [], limit: cap + 1, select }, []);
  if (!q) return [];
  const snap = await reader.query(q);
  if (snap.size > cap) throw orderUnsupported(schema, query, shape, cap);
  return finish(snap.docs.map((d) => decodeRow(schema, d.id, d.data(), select)), query);
}

/** Order, cursor, offset, limit and projection applied in memory. */
function finish(input: StoredRow[], query: NormalizedQuery): StoredRow[] {
  let rows = sortRows(input, query.orderBy);
  if (query.after) rows = rows.filter((r) => isAfter(r, query.orderBy, query.after!));
  const start = query.offset ?? 0;
  rows = rows.slice(start, query.limit === undefined ? undefined : start + query.limit);
  return query.select ? rows.map((r) => project(r, query.select!)) : rows;
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

/**
 * Keep only the selected fields of a row.
 *
 * @example
 * ```ts
 * project({ id: 'a', name: 'Ada', age: 3 }, ['id', 'name']); // { id: 'a', name: 'Ada' }
 * ```
 */
export function project(row: StoredRow, select: readonly string[]): StoredRow {
  const out: StoredRow = {};
  for (const f of select) out[f] = row[f] ?? null;
  return out;
}

function isFalse(c: Condition | undefined): boolean {
  return c !== undefined && c.kind === 'or' && c.conditions.length === 0;
}

/**
 * Ids of the stored documents matching `where`, in no particular order (one
 * keys-only query, or the targeted ids): what filter-based writes resolve
 * first.
 *
 * @example
 * ```ts
 * const ids = await matchingIds(ctx, reader, schema, where);
 * ```
 */
export async function matchingIds(ctx: DriverContext, reader: Reader, schema: RepositorySchema, where: Condition | undefined): Promise<string[]> {
  assertSchemaNames(schema);
  if (isFalse(where)) return [];
  const targets = idTargets(where);
  if (targets) return (await readByIds(ctx, reader, schema, targets.ids)).filter((r) => matches(targets.rest, r)).map((r) => r.id as string);
  checkFilter(schema, filterShape(where));
  const q = buildQuery(ctx.collection(schema), schema, { where, orderBy: [], select: ['id'] }, []);
  if (!q) return [];
  return (await reader.query(q)).docs.map((d) => d.id);
}
