import type { Condition, Operation, OperationResult, RepositorySchema, StoredRow } from '@chatcore/core/plugin';
import { IntegrityError } from '@chatcore/core';
import { IndexChecks } from './index-verification.js';
import type { RepositoryPlan } from './repository-plan.js';

type Next = (op: Operation) => Promise<OperationResult>;

/**
 * What a checked read needs from the plugin: decryption (which also checks
 * each row's authenticator) and where to report rows found through a blind
 * index that is not their own.
 *
 * @example
 * ```ts
 * const io: CheckedReadIo = { decrypt: (rows) => plugin.decryptRows(plan, rows, ctx), mismatch: (fields, ids) => report(fields, ids) };
 * ```
 */
export interface CheckedReadIo {
  decrypt(rows: readonly StoredRow[]): StoredRow[];
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
 * more, so that a planted row ahead of the real one cannot hide it.
 * `requested` is the caller's projection when checking widened it (the
 * extra fields are removed again).
 *
 * @example
 * ```ts
 * return readChecked(plan, down, next, IndexChecks.of(plan, where, rewritten), undefined, io);
 * ```
 */
export async function readChecked(plan: RepositoryPlan, op: Operation, next: Next, checks: IndexChecks | undefined, requested: readonly string[] | undefined, io: CheckedReadIo): Promise<OperationResult> {
  let res = await next(op);
  let sifted = sift(checks, res.rows, io.decrypt(res.rows), requested);
  if (sifted.dropped.length === 0) return { ...res, rows: sifted.kept };
  const dropped = new Set(sifted.dropped);
  const limit = op.kind === 'query' && !op.query.offset ? op.query.limit : undefined;
  if (limit !== undefined && op.kind === 'query') {
    let asked = limit;
    for (let turn = 0; turn < REFILL_QUERIES && sifted.kept.length < limit && res.rows.length >= asked; turn++) {
      asked = limit + dropped.size;
      res = await next({ ...op, query: { ...op.query, limit: asked } });
      sifted = sift(checks, res.rows, io.decrypt(res.rows), requested);
      for (const id of sifted.dropped) dropped.add(id);
    }
    if (sifted.kept.length > limit) sifted.kept.length = limit;
  }
  io.mismatch(checks!.fields.map((f) => f.plan.name), [...dropped]);
  return { ...res, rows: sifted.kept };
}

/** The decrypted rows that agree with the blind indexes they were found by, projected; the ids of the others. */
function sift(checks: IndexChecks | undefined, stored: readonly StoredRow[], rows: StoredRow[], requested: readonly string[] | undefined): { kept: StoredRow[]; dropped: string[] } {
  if (!checks) return { kept: requested ? rows.map((r) => pick(r, requested)) : rows, dropped: [] };
  const kept: StoredRow[] = [];
  const dropped: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    if (checks.agrees(stored[i]!, rows[i]!)) kept.push(requested ? pick(rows[i]!, requested) : rows[i]!);
    else dropped.push(String(rows[i]!.id));
  }
  return { kept, dropped };
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
  io: CheckedReadIo,
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

function pick(row: StoredRow, fields: readonly string[]): StoredRow {
  const out: StoredRow = {};
  for (const f of fields) if (f in row) out[f] = row[f];
  return out;
}
