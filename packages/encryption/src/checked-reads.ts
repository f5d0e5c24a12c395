import type { Condition, Operation, OperationResult, RepositorySchema, StoredRow } from '@chatcore/core/plugin';
import { IntegrityError } from '@chatcore/core';
import { THROUGH_PARENT } from '@chatcore/core/driver';
import { IndexChecks } from './index-verification.js';
import type { RepositoryPlan } from './repository-plan.js';
import type { RenamedSlot } from './crypto/row-authenticator.js';

type Next = (op: Operation) => Promise<OperationResult>;

/**
 * What checked reads and writes need from the plugin: decryption (which
 * also checks each row's authenticator), the same for a row a write is
 * about to rewrite (`renamed`: slots a rename migration read, still under
 * their old names), and where to report rows found through a blind index
 * that is not their own. Each failure is reported as a security event
 * before it is raised.
 *
 * @example
 * ```ts
 * const io: CheckedIo = { decrypt: (rows) => decryptRows(rows), open: (row, renamed) => openReported(row, renamed), mismatch: (fields, ids) => report(fields, ids) };
 * ```
 */
export interface CheckedIo {
  decrypt(rows: readonly StoredRow[]): StoredRow[];
  open(row: StoredRow, renamed?: readonly RenamedSlot[]): StoredRow;
  mismatch(fields: readonly string[], ids: readonly string[]): void;
}

/**
 * Extra queries a limited lookup may make to replace rows it dropped: each
 * one asks for as many more rows as were dropped so far, so an attacker who
 * planted blind indexes in many rows costs a few queries, not one per row.
 */
const REFILL_QUERIES = 4;

/**
 * A read found through blind indexes: every row is decrypted and checked
 * against the filter's plaintext values (IndexChecks); a row whose blind
 * index is not its own is dropped and reported. A limited query without an
 * offset (findOne, exists, a page) that lost rows asks again for as many
 * more, so that a planted row ahead of the real one cannot hide it; so does
 * each parent of a per-parent limit (`include`'s `limitPerGroup` and
 * `through`) left short by dropped rows, asked again alone.
 * `requested` is the caller's projection when checking widened it (the
 * extra fields are removed again).
 *
 * @example
 * ```ts
 * return readChecked(plan, down, next, IndexChecks.of(plan, where, rewritten), undefined, io);
 * ```
 */
export async function readChecked(plan: RepositoryPlan, op: Operation, next: Next, checks: IndexChecks | undefined, requested: readonly string[] | undefined, io: CheckedIo): Promise<OperationResult> {
  const res = await next(op);
  const sifted = sift(checks, res.rows, io.decrypt(res.rows), requested);
  if (sifted.dropped.length === 0) return { ...res, rows: sifted.kept };
  const dropped = new Set(sifted.dropped);
  // The result was served by a plugin (servedBy) only if every read was.
  let servedBy = res.servedBy;
  const read = async (again: Operation): Promise<Reread> => {
    const more = await next(again);
    if (more.servedBy !== servedBy) servedBy = undefined;
    return { stored: more.rows, sifted: sift(checks, more.rows, io.decrypt(more.rows), requested) };
  };
  let rows = sifted.kept;
  const groups = op.kind === 'query' ? perParent(op) : undefined;
  if (groups) rows = await refillGroups(groups, res.rows, sifted, read, dropped);
  else if (op.kind === 'query' && !op.query.offset && op.query.limit !== undefined) rows = await refill(op, op.query.limit, res.rows.length, sifted, read, dropped);
  io.mismatch(checks!.fields.map((f) => f.plan.name), [...dropped]);
  const out: OperationResult = { ...res, rows };
  if (servedBy === undefined) delete out.servedBy;
  return out;
}

/** Rows read again: as stored (to tell their parent), and as sifted. */
interface Reread { readonly stored: readonly StoredRow[]; readonly sifted: Sifted }

/** An overall limit: the whole query asked again with the limit raised by the rows dropped so far. */
async function refill(op: QueryOp, limit: number, returned: number, first: Sifted, read: (op: Operation) => Promise<Reread>, dropped: Set<string>): Promise<StoredRow[]> {
  let sifted = first;
  let asked = limit;
  for (let turn = 0; turn < REFILL_QUERIES && sifted.kept.length < limit && returned >= asked; turn++) {
    asked = limit + dropped.size;
    const again = await read({ ...op, query: { ...op.query, limit: asked } });
    sifted = again.sifted;
    returned = again.stored.length;
    for (const id of sifted.dropped) dropped.add(id);
  }
  return sifted.kept.length > limit ? sifted.kept.slice(0, limit) : sifted.kept;
}

type QueryOp = Extract<Operation, { kind: 'query' }>;

/** A per-parent limit: the parent of a stored row, the limit, and the query for some parents only with another limit. */
interface PerParent {
  readonly limit: number;
  parent(row: StoredRow): string;
  narrow(parents: readonly string[], limit: number): Operation;
}

/** The per-parent limit of a query (`limitPerGroup` or `through`), when it has one and no overall limit or offset. */
function perParent(op: QueryOp): PerParent | undefined {
  const q = op.query;
  if (q.limit !== undefined || q.offset) return undefined;
  if (q.limitPerGroup) {
    const field = q.limitPerGroup.field;
    return {
      limit: q.limitPerGroup.limit,
      parent: (row) => String(row[field]),
      narrow: (parents, limit) => {
        const only: Condition = { kind: 'in', field, values: parents, negate: false };
        const where: Condition = !q.where ? only : q.where.kind === 'and' ? { kind: 'and', conditions: [...q.where.conditions, only] } : { kind: 'and', conditions: [q.where, only] };
        return { ...op, query: { ...q, where, limitPerGroup: { field, limit } } };
      },
    };
  }
  if (q.through) {
    const through = q.through;
    return {
      limit: through.limit,
      parent: (row) => String(row[THROUGH_PARENT]),
      narrow: (parents, limit) => ({ ...op, query: { ...q, through: { ...through, keys: parents, limit } } }),
    };
  }
  return undefined;
}

/**
 * A per-parent limit: each parent left with fewer rows than the limit by
 * dropped rows, while more may follow (it returned as many as asked), is
 * asked again (those parents only, in one query) with its limit raised by
 * the most rows any of them lost, up to REFILL_QUERIES times. Rows come
 * back grouped by parent, at most the limit each.
 */
async function refillGroups(groups: PerParent, stored: readonly StoredRow[], first: Sifted, read: (op: Operation) => Promise<Reread>, dropped: Set<string>): Promise<StoredRow[]> {
  const byParent = new Map<string, { kept: StoredRow[]; returned: number; dropped: Set<string> }>();
  const take = (rows: readonly StoredRow[], sifted: Sifted) => {
    let k = 0;
    for (let i = 0; i < rows.length; i++) {
      const key = groups.parent(rows[i]!);
      let mine = byParent.get(key);
      if (!mine) byParent.set(key, (mine = { kept: [], returned: 0, dropped: new Set() }));
      mine.returned++;
      if (sifted.keptAt[k] === i) mine.kept.push(sifted.kept[k++]!);
      else mine.dropped.add(String(rows[i]!.id));
    }
  };
  take(stored, first);
  let asked = groups.limit;
  for (let turn = 0; turn < REFILL_QUERIES; turn++) {
    const short: string[] = [];
    let most = 0;
    for (const [key, mine] of byParent) {
      if (mine.kept.length >= groups.limit || mine.returned < asked) continue;
      short.push(key);
      most = Math.max(most, mine.dropped.size);
    }
    if (short.length === 0) break;
    asked = groups.limit + most;
    const again = await read(groups.narrow(short, asked));
    for (const key of short) Object.assign(byParent.get(key)!, { kept: [], returned: 0 });
    take(again.stored, again.sifted);
    for (const id of again.sifted.dropped) dropped.add(id);
  }
  const out: StoredRow[] = [];
  for (const { kept } of byParent.values()) for (let i = 0; i < kept.length && i < groups.limit; i++) out.push(kept[i]!);
  return out;
}

const NONE: number[] = [];

/** Rows that agree with their blind indexes (projected), their positions among the stored rows, and the ids of the others. */
interface Sifted { readonly kept: StoredRow[]; readonly keptAt: number[]; readonly dropped: string[] }

/** The decrypted rows that agree with the blind indexes they were found by, projected; the ids of the others. */
function sift(checks: IndexChecks | undefined, stored: readonly StoredRow[], rows: StoredRow[], requested: readonly string[] | undefined): Sifted {
  // Nothing checked, nothing dropped: no refill reads keptAt.
  if (!checks) return { kept: requested ? rows.map((r) => pick(r, requested)) : rows, keptAt: NONE, dropped: [] };
  const kept: StoredRow[] = [];
  const keptAt: number[] = [];
  const dropped: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    if (checks.agrees(stored[i]!, rows[i]!)) {
      kept.push(requested ? pick(rows[i]!, requested) : rows[i]!);
      keptAt.push(i);
    } else dropped.push(String(rows[i]!.id));
  }
  return { kept, keptAt, dropped };
}

/**
 * The id of the record an upsert's conflict fields name, checked like a
 * read when they include a searchable field: a record holding a blind index
 * that is not its own is reported and refused with IntegrityError (writing
 * into it would put one user's data in another's record, and inserting
 * would collide with the planted index), nothing written.
 *
 * @example
 * ```ts
 * const id = await conflictHolder(plan, op.schema, logical, rewritten, next, withAuth, io);
 * ```
 */
export async function conflictHolder(
  plan: RepositoryPlan,
  schema: RepositorySchema,
  logical: Condition | undefined,
  where: Condition | undefined,
  next: Next,
  widen: (select: readonly string[]) => readonly string[],
  io: CheckedIo,
): Promise<string | undefined> {
  const checks = where === logical || !plan.verifyLookups ? undefined : IndexChecks.of(plan, logical, where);
  const select = checks ? widen(checks.widen(plan, ['id'])!) : ['id'];
  const row = (await next({ kind: 'query', schema, query: { where, orderBy: [{ field: 'id', direction: 'asc' }], limit: 1, select } })).rows[0];
  if (!row || !checks) return row ? String(row.id) : undefined;
  const id = String(row.id);
  if (checks.agrees(row, io.decrypt([row])[0]!)) return id;
  const fields = checks.fields.map((f) => f.plan.name);
  io.mismatch(fields, [id]);
  throw new IntegrityError(
    `Record ${id} of ${plan.name} holds a blind index for ${fields.join(', ')} that does not belong to its value, so the upsert cannot tell which record it names; nothing was written. Restore that record from a backup.`,
    { info: { repository: plan.name, id, field: fields[0] } },
  );
}

/**
 * A count through blind indexes: the candidates' ids, blind indexes and
 * ciphertexts are read (not only counted) so that each can be checked
 * like a read; the cost grows with the number of matches.
 *
 * @example
 * ```ts
 * return countChecked(plan, op, rewritten, next, checks, (s) => withAuthFields(plan, s)!, io);
 * ```
 */
export async function countChecked(
  plan: RepositoryPlan,
  op: Extract<Operation, { kind: 'count' }>,
  where: Condition | undefined,
  next: Next,
  checks: IndexChecks,
  widen: (select: readonly string[]) => readonly string[],
  io: CheckedIo,
): Promise<OperationResult> {
  const select = widen(checks.widen(plan, ['id'])!);
  const query: Operation = { kind: 'query', schema: op.schema, query: { where, orderBy: [{ field: 'id', direction: 'asc' }], select, anyOrder: true } };
  const res = await readChecked(plan, query, next, checks, ['id'], io);
  return { rows: [], count: res.rows.length };
}

function pick(row: StoredRow, fields: readonly string[]): StoredRow {
  const out: StoredRow = {};
  for (const f of fields) if (f in row) out[f] = row[f];
  return out;
}
