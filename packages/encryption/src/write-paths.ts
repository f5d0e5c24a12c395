import type { Condition, Operation, OperationResult, StoredRow } from '@chatcore/core/plugin';
import { ConflictError, PartialWriteError, UniqueViolationError } from '@chatcore/core';
import { encryptRow, encryptSet, sealField, touchesProtected } from './encryption-transformer.js';
import { mapConflictFields, rewriteCondition } from './query-rewriter.js';
import { sealRecord } from './record/record-envelope.js';
import { sealedIncrement } from './record/sealed-increment.js';
import { authOf, blindIndexOf, pendingRenames, envelopeCipherOf, type RepositoryPlan } from './repository-plan.js';
import type { CheckedIo } from './checked-reads.js';
import { AUTH_FIELD } from './crypto/row-authenticator.js';
import { CasRetry } from './cas-retry.js';
import { IntegrityError } from '@chatcore/core';

type Next = (op: Operation) => Promise<OperationResult>;
type InsertOp = Extract<Operation, { kind: 'insert' }>;
type UpdateOp = Extract<Operation, { kind: 'update' }>;
type UpsertOp = Extract<Operation, { kind: 'upsert' }>;
type Decrypt = (rows: readonly StoredRow[]) => StoredRow[];
/** The id of the record an upsert's conflict fields name (`logical`, and `where` as rewritten for storage), checked (checked-reads.ts). */
type ConflictHolder = (logical: Condition | undefined, where: Condition | undefined) => Promise<string | undefined>;

function and(...conds: (Condition | undefined)[]): Condition | undefined {
  const list = conds.filter((c): c is Condition => c !== undefined);
  return list.length === 0 ? undefined : list.length === 1 ? list[0] : { kind: 'and', conditions: list };
}

/** Rows encrypted per turn of the event loop: a 100k-row createMany must not stall every other request for seconds. */
const ROWS_PER_TURN = 1000;

async function encryptAll(plan: RepositoryPlan, rows: readonly StoredRow[]): Promise<StoredRow[]> {
  const out = new Array<StoredRow>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    if (i > 0 && i % ROWS_PER_TURN === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    out[i] = encryptRow(plan, rows[i]!);
  }
  return out;
}

/**
 * An insert through the plugin: rows are encrypted (1,000 per event-loop
 * turn) and sent down as one operation. Rows that come back unchanged are
 * the ones just encrypted, so the caller gets (a copy of) its plaintext
 * instead of a decryption. Drivers return the rows they were given, in
 * order; anything else is matched by identity, and rows changed below are
 * decrypted.
 *
 * @example
 * ```ts
 * return insertThrough(plan, op, next, decrypt);
 * ```
 */
export async function insertThrough(plan: RepositoryPlan, op: InsertOp, next: Next, decrypt: Decrypt): Promise<OperationResult> {
  const stored = await encryptAll(plan, op.rows);
  const res = await next({ ...op, rows: stored });
  const rows = new Array<StoredRow>(res.rows.length);
  let byRow: Map<StoredRow, StoredRow> | undefined;
  for (let i = 0; i < rows.length; i++) {
    const r = res.rows[i]!;
    const plain = r === stored[i] ? op.rows[i] : (byRow ??= new Map(stored.map((s, j) => [s, op.rows[j]!]))).get(r);
    rows[i] = plain ? { ...plain } : decrypt([r])[0]!;
  }
  return { ...res, rows };
}

/** Ids of the rows a (storage) filter matches, read through the layers below. */
async function resolveIds(op: UpdateOp, where: Condition | undefined, next: Next): Promise<string[]> {
  if (op.target.ids) return [...op.target.ids];
  const res = await next({ kind: 'query', schema: op.schema, query: { where, orderBy: [{ field: 'id', direction: 'asc' }], select: ['id'] } });
  return res.rows.map((r) => r.id as string);
}

/**
 * Whether an update of this repository is applied record by record (it
 * sets a protected field, or row authenticators must be recomputed), so
 * that one updating several records needs a transaction to be all or nothing.
 *
 * @example
 * ```ts
 * if (recordByRecord(plan, op.patch)) return 'one write per record';
 * ```
 */
export function recordByRecord(plan: RepositoryPlan, patch: UpdateOp['patch']): boolean {
  return plan.authMode !== 'off' || touchesProtected(plan, patch);
}

/**
 * An update through the plugin. A patch without protected fields goes down
 * as one operation (filter rewritten). A patch that sets encrypted fields
 * needs the record id in each AAD, so the targeted ids are resolved first
 * (one query below this plugin) and each record is updated on its own, still
 * under the original filter (a record that stopped matching is skipped).
 * Record mode merges the patch into the opened envelope and writes it back
 * with compare-and-swap (version, or envelope equality), retrying on a race.
 * Outside a transaction (`inTransaction` false) each record commits on its
 * own: a failure after some were written raises PartialWriteError with
 * their ids.
 *
 * @example
 * ```ts
 * return updateThrough(plan, op, next, io, ctx.transaction !== undefined);
 * ```
 */
export async function updateThrough(plan: RepositoryPlan, op: UpdateOp, next: Next, io: CheckedIo, inTransaction: boolean): Promise<OperationResult> {
  const where = rewriteCondition(plan, op.target.where);
  // With row authenticators every write changes the version, which the authenticator covers: each record is rewritten on its own.
  if (!recordByRecord(plan, op.patch)) {
    const res = await next({ ...op, target: { ids: op.target.ids, where } });
    return { ...res, rows: io.decrypt(res.rows) };
  }
  const ids = await resolveIds(op, where, next);
  const rows: StoredRow[] = [];
  try {
    for (const id of ids) {
      if (plan.authMode !== 'off') {
        const row = await rewriteOne(plan, op, id, where, next, io);
        if (row) rows.push(row);
      } else if (plan.mode === 'field') {
        const res = await next({ ...op, target: { ids: [id], where }, patch: { set: encryptSet(plan, op.patch.set, id), increment: op.patch.increment } });
        rows.push(...res.rows);
      } else {
        const row = await resealOne(plan, op, id, where, next, io.decrypt);
        if (row) rows.push(row);
      }
    }
  } catch (error) {
    // Without a transaction the records before this one stay written: say which.
    if (inTransaction || rows.length === 0) throw error;
    throw new PartialWriteError(op.schema.name, rows.map((r) => r.id as string), { cause: error });
  }
  return { rows: io.decrypt(rows) };
}

/**
 * Read-modify-write of one record under row authentication: the current
 * row is read and opened (its values and authenticator checked: an update
 * must not re-authenticate a tampered row; a row a rename migration read
 * is checked under the old field names, and one written by another process
 * since that read raises ConflictError, so the migration reads it again; a
 * failure is reported like a read's, nothing written), the patch applied, and every value sealed
 * again bound to the state the row will have (its new version, a fresh
 * nonce: row-binding.ts), or the envelope merged and sealed again. The
 * write is guarded by the version and the authenticator read; a race
 * retries.
 */
async function rewriteOne(plan: RepositoryPlan, op: UpdateOp, id: string, where: Condition | undefined, next: Next, io: CheckedIo): Promise<StoredRow | undefined> {
  const version = plan.logical.versionField;
  // A row a rename migration read: its renamed slots are still authenticated under their old names until this write.
  const renamed = plan.renamed.size === 0 ? undefined : plan.renamed.get(id);
  if (renamed) plan.renamed.delete(id);
  // A lost race retries until the burst drains (see CasRetry); with an expected version in `where`, the re-read finds no row.
  for (const retry = new CasRetry(); await retry.again(); ) {
    const idWhere = and({ kind: 'cmp', field: 'id', op: 'eq', value: id }, where);
    const current = (await next({ kind: 'query', schema: op.schema, query: { where: idWhere, orderBy: [{ field: 'id', direction: 'asc' }], limit: 1 } })).rows[0];
    if (!current) return undefined;
    const pending = renamed && pendingRenames(plan, current, renamed);
    // Written since the migration read it (another process still on the old field names): its read is stale, not tampered with.
    if (pending && pending[0]!.auth !== undefined && current[AUTH_FIELD] !== pending[0]!.auth) {
      throw new ConflictError(plan.name, id, undefined, undefined, { info: { renamed: pending.map((r) => r.name) } });
    }
    const logical = io.open(current, pending);
    const afterVersion = version ? Number(current[version] ?? 0) + Number(op.patch.increment[version] ?? 0) : undefined;
    const { set, increment } = plan.mode === 'field' ? rebindFields(plan, op, logical, id, afterVersion) : mergeIntoEnvelope(plan, op, logical, id, authOf(plan).bind(afterVersion, 1));
    if (!(AUTH_FIELD in set)) {
      // No value left to bind through: the a2 MAC over the id and version.
      const after: StoredRow = { ...current, ...set };
      if (version) after[version] = afterVersion;
      set[AUTH_FIELD] = authOf(plan).compute(after);
    }
    // The authenticator read changes with every write (a fresh nonce), and with any covered value under a2.
    const authGuard: Condition = current[AUTH_FIELD] == null ? { kind: 'isNull', field: AUTH_FIELD, isNull: true } : { kind: 'cmp', field: AUTH_FIELD, op: 'eq', value: current[AUTH_FIELD] };
    const guard = version ? and({ kind: 'cmp', field: version, op: 'eq', value: current[version] }, authGuard) : authGuard;
    const res = await next({ ...op, target: { ids: [id], where: and(where, guard) }, patch: { set, increment } });
    if (res.rows[0]) return res.rows[0];
    retry.lost(version ? current[version] : undefined, current[AUTH_FIELD]);
  }
  throw new ConflictError(plan.name, id, undefined);
}

type StoragePatch = { set: Record<string, unknown>; increment: Record<string, number | bigint> };

/**
 * Field mode under row authentication: the patch encrypted, and every value
 * it leaves as it was sealed again, all bound to the row's next state (a
 * fresh `b1` authenticator in `set`); nothing bound when no value is left.
 */
function rebindFields(plan: RepositoryPlan, op: UpdateOp, logical: StoredRow, id: string, version: number | undefined): StoragePatch {
  const patched = op.patch.set;
  const auth = authOf(plan);
  const bound = auth.bind(version, auth.countOf({ ...logical, ...patched }));
  const set = encryptSet(plan, patched, id, bound?.binding);
  if (bound) {
    for (const p of plan.fields.values()) if (!(p.name in patched) && logical[p.name] != null) set[p.name] = sealField(plan, p, logical[p.name], id, bound.binding);
    set[AUTH_FIELD] = bound.auth;
  }
  return { set, increment: { ...op.patch.increment } };
}

/**
 * Record mode: the patch merged into the opened envelope (`logical`), as
 * the storage patch (envelope, blind indexes, clear fields). The envelope
 * is sealed again when the patch touches a sealed field, or always under
 * row authentication (`bound`: the row's next state and its authenticator).
 */
function mergeIntoEnvelope(plan: RepositoryPlan, op: UpdateOp, logical: StoredRow, id: string, bound?: { readonly auth: string; readonly binding: string }): StoragePatch {
  const set: Record<string, unknown> = {};
  const increment: Record<string, number | bigint> = {};
  for (const [f, v] of Object.entries(op.patch.set)) {
    if (plan.fields.has(f)) logical[f] = v;
    else set[f] = v;
  }
  for (const [f, by] of Object.entries(op.patch.increment)) {
    if (!plan.fields.has(f)) increment[f] = by;
    else logical[f] = sealedIncrement(plan.logical, f, logical[f], by);
  }
  if (bound || touchesProtected(plan, op.patch)) {
    set[plan.envelopeField!] = sealRecord(envelopeCipherOf(plan), plan.sealed, plan.envelope.list, plan.logical.fields, logical, id, bound?.binding);
    for (const p of plan.fields.values()) if (p.indexField && (p.name in op.patch.set || p.name in op.patch.increment)) set[p.indexField] = blindIndexOf(plan, p, logical[p.name]);
  }
  if (bound) set[AUTH_FIELD] = bound.auth;
  return { set, increment };
}

async function resealOne(plan: RepositoryPlan, op: UpdateOp, id: string, where: Condition | undefined, next: Next, decrypt: Decrypt): Promise<StoredRow | undefined> {
  const env = plan.envelopeField!;
  const version = plan.logical.versionField;
  // A lost race retries until the burst drains (see CasRetry); with an expected version in `where`, the re-read finds no row.
  for (const retry = new CasRetry(); await retry.again(); ) {
    const idWhere = and({ kind: 'cmp', field: 'id', op: 'eq', value: id }, where);
    const current = (await next({ kind: 'query', schema: op.schema, query: { where: idWhere, orderBy: [{ field: 'id', direction: 'asc' }], limit: 1 } })).rows[0];
    if (!current) return undefined;
    // Reached only for patches that touch a protected field: the envelope is always sealed again.
    const { set, increment } = mergeIntoEnvelope(plan, op, decrypt([current])[0]!, id);
    // Compare-and-swap: the write applies only if nobody changed the record since it was read.
    const guard: Condition = version
      ? { kind: 'cmp', field: version, op: 'eq', value: current[version] }
      : { kind: 'cmp', field: env, op: 'eq', value: current[env] };
    const res = await next({ ...op, target: { ids: [id], where: and(where, guard) }, patch: { set, increment } });
    if (res.rows[0]) return res.rows[0];
    retry.lost(version ? current[version] : current[env]);
  }
  throw new ConflictError(plan.name, id, undefined);
}

/**
 * An upsert through the plugin. When the record id is the conflict key (or
 * the patch touches no protected field) it goes down as one upsert, with
 * blind-index conflict fields. Otherwise the existing record's id is not
 * known in advance, and ciphertext must be bound to it: the record is looked
 * up by the conflict fields (`holder`: a blind-index match is checked against
 * the decrypted value), then updated by id, or inserted. An insert that
 * collides retries the lookup only when a record now holds the key (a lost
 * race); otherwise its UniqueViolationError is the upsert's, as without the
 * plugin. A key with a null part is inserted at once.
 *
 * @example
 * ```ts
 * return upsertThrough(plan, op, next, io, (logical, where) => conflictHolder(plan, op.schema, logical, where, next, widen, io));
 * ```
 */
export async function upsertThrough(plan: RepositoryPlan, op: UpsertOp, next: Next, io: CheckedIo, holder: ConflictHolder): Promise<OperationResult> {
  const decrypt = io.decrypt;
  const conflictFields = mapConflictFields(plan, op.conflictFields);
  const byId = op.conflictFields.length === 1 && op.conflictFields[0] === 'id';
  const id = op.row.id as string;
  // With row authenticators an upsert that may update cannot be one statement: the authenticator covers the existing row's version.
  if (plan.authMode === 'off' && (!touchesProtected(plan, op.patch) || (byId && plan.mode === 'field'))) {
    const patch = plan.mode === 'field' ? { set: encryptSet(plan, op.patch.set, id), increment: op.patch.increment } : op.patch;
    const res = await next({ ...op, row: encryptRow(plan, op.row), conflictFields, patch });
    return { ...res, rows: decrypt(res.rows) };
  }
  // A key with a null part claims nothing (as in SQL and every driver): insert, never match a record whose part is null too.
  if (op.conflictFields.some((f) => op.row[f] === null || op.row[f] === undefined)) return insertOne(plan, op, next, decrypt);
  let collision: UniqueViolationError | undefined;
  for (const retry = new CasRetry(); await retry.again(); ) {
    const logical = and(...op.conflictFields.map((f): Condition => ({ kind: 'cmp', field: f, op: 'eq', value: op.row[f] })));
    // After a failed insert inside a SQL transaction, the look-up cannot run (the transaction is aborted): the collision is the
    // error, as without the plugin. A planted blind index (IntegrityError) is still reported as such.
    const found = await holder(logical, rewriteCondition(plan, logical)).catch((error: unknown) => { throw collision && !(error instanceof IntegrityError) ? collision : error; });
    if (found !== undefined) {
      collision = undefined;
      const res = await updateThrough(plan, { kind: 'update', schema: op.schema, target: { ids: [found] }, patch: op.patch }, next, io, true);
      if (res.rows.length) return { rows: res.rows, created: false };
      // The record found stopped matching before the update: deleted, or changed by another write.
      retry.lost(found);
      continue;
    }
    // The insert collided, yet no record holds the key: the id or another unique field collided, which no retry changes.
    if (collision) throw collision;
    try {
      return await insertOne(plan, op, next, decrypt);
    } catch (error) {
      if (!(error instanceof UniqueViolationError)) throw error;
      collision = error;
      // Another write inserted the key since the look-up: the next look-up finds it.
      retry.lost(undefined);
    }
  }
  throw new ConflictError(plan.name, id, undefined);
}

/** An upsert's row inserted (encrypted), as the upsert's result. */
async function insertOne(plan: RepositoryPlan, op: UpsertOp, next: Next, decrypt: Decrypt): Promise<OperationResult> {
  const res = await next({ kind: 'insert', schema: op.schema, rows: [encryptRow(plan, op.row)] });
  return { rows: decrypt(res.rows), created: true };
}
