import { FieldPath, FieldValue, type CollectionReference, type DocumentReference, type Firestore, type Transaction } from '@google-cloud/firestore';
import { MigrationError } from '@chatcore/core';
import { toSnakeCase, type IndexSchema, type RepositorySchema } from '@chatcore/core/driver';
import { decodeRow, type DocumentFields } from './value-codec.js';
import { lockCollection, lockRefs, uniqueKeys } from './unique-locks.js';

/**
 * What a schema change does to each document of one collection: fields
 * renamed (in order) and dropped, fields that must hold a value, and the
 * storage schema to reconcile (a missing optional field is stored as null,
 * a missing required one is an error; its unique keys get lock documents).
 *
 * @example
 * ```ts
 * const edit: DocumentEdit = { renames: [{ from: 'title', to: 'subject', fromColumn: 'title' }], drops: [], required: [], ensure: undefined };
 * ```
 */
export interface DocumentEdit {
  readonly renames: readonly { readonly from: string; readonly to: string; readonly fromColumn: string }[];
  readonly drops: readonly string[];
  readonly required: readonly string[];
  readonly ensure: RepositorySchema | undefined;
}

/** Writes one transaction may hold (Firestore's limit is 500). */
const MAX_WRITES = 500;
/** Documents per rewrite transaction: short transactions keep concurrent writers from contending for long. */
const REWRITE_PAGE = 100;
/** Documents read per page of a check. */
const CHECK_PAGE = 1000;
/**
 * Length of `-<sha256 base64url>` at the end of a lock document id (the
 * rest is the unique key's name).
 *
 * @example
 * ```ts
 * const keyName = lockId.slice(0, -LOCK_DIGEST_SUFFIX); // 'users_handle_key'
 * ```
 */
export const LOCK_DIGEST_SUFFIX = 44;

/** The document after the edit, and what is wrong with it (a required field without a value). */
function transform(data: DocumentFields, edit: DocumentEdit): { next: DocumentFields; problem?: string } {
  const next: DocumentFields = { ...data };
  for (const r of edit.renames) {
    if (!Object.hasOwn(next, r.from)) continue;
    next[r.to] = next[r.from];
    delete next[r.from];
  }
  for (const d of edit.drops) delete next[d];
  for (const [name, meta] of Object.entries(edit.ensure?.fields ?? {})) {
    if (name === 'id' || Object.hasOwn(next, name)) continue;
    if (!meta.optional) return { next, problem: `has no ${name}, which is declared required` };
    next[name] = null;
  }
  for (const name of edit.required) {
    if (next[name] === null || next[name] === undefined) return { next, problem: `has no value in ${name}` };
  }
  return { next };
}

/** The SDK update that turns `data` into `next`, or undefined when nothing changes. */
function diff(data: DocumentFields, next: DocumentFields): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const [k, v] of Object.entries(next)) if (!Object.hasOwn(data, k) || data[k] !== v) { out[k] = v; any = true; }
  for (const k of Object.keys(data)) if (!Object.hasOwn(next, k)) { out[k] = FieldValue.delete(); any = true; }
  return any ? out : undefined;
}

function columnOf(schema: RepositorySchema, field: string): string {
  return schema.fields[field]?.column ?? toSnakeCase(field);
}

/** The name a unique key had before its fields were renamed (keys are named after their columns). */
function keyNameBefore(schema: RepositorySchema, key: IndexSchema, edit: DocumentEdit): string | undefined {
  const renamed = new Map(edit.renames.map((r) => [r.to, r.fromColumn]));
  if (!key.fields.some((f) => renamed.has(f))) return undefined;
  const now = `${schema.name}_${key.fields.map((f) => columnOf(schema, f)).join('_')}_key`;
  if (key.name !== now) return undefined; // a name chatcore did not derive: nothing to move
  return `${schema.name}_${key.fields.map((f) => renamed.get(f) ?? columnOf(schema, f)).join('_')}_key`;
}

/** Document ids of a collection in order, a page at a time (keys only). */
async function* idPages(col: CollectionReference, size: number): AsyncGenerator<string[]> {
  let after: string | undefined;
  for (;;) {
    let q = col.orderBy(FieldPath.documentId()).select().limit(size);
    if (after !== undefined) q = q.startAfter(after);
    const snap = await q.get();
    if (snap.empty) return;
    const ids = snap.docs.map((d) => d.id);
    yield ids;
    after = ids[ids.length - 1];
    if (ids.length < size) return;
  }
}

/**
 * Read every document and fail, before anything is written, if the edit
 * would leave one without a required value.
 *
 * @example
 * ```ts
 * await checkDocuments(db.collection('tickets'), edit);
 * ```
 */
export async function checkDocuments(col: CollectionReference, edit: DocumentEdit): Promise<void> {
  if (edit.required.length === 0 && !Object.entries(edit.ensure?.fields ?? {}).some(([n, m]) => n !== 'id' && !m.optional)) return;
  for await (const ids of idPages(col, CHECK_PAGE)) {
    const snaps = await col.firestore.getAll(...ids.map((id) => col.doc(id)));
    for (const s of snaps) {
      if (!s.exists) continue;
      const { problem } = transform(s.data()!, edit);
      if (problem) {
        throw new MigrationError(`Cannot change ${col.id}: document ${s.id} ${problem}. Fill it with a backfill first; nothing was changed.`, { info: { table: col.id, id: s.id } });
      }
    }
  }
}

/**
 * Apply `edit` to every document of `col`, in transactions of at most 100
 * documents (and 500 writes). Each transaction reads its documents (so a concurrent writer's
 * change either commits first and is kept, or makes the page retry) and
 * writes only the fields that change. Unique keys of `edit.ensure` get
 * their lock documents (an existing lock owned by another document is a
 * duplicate: MigrationError); a key whose field was renamed has its old
 * locks deleted in the same write. Rewriting a document twice changes
 * nothing, so an interrupted pass is simply run again. Returns the number
 * of documents changed.
 *
 * @example
 * ```ts
 * const changed = await rewriteDocuments(db, db.collection('tickets'), edit, 10);
 * ```
 */
export async function rewriteDocuments(db: Firestore, col: CollectionReference, edit: DocumentEdit, attempts: number): Promise<number> {
  const schema = edit.ensure;
  const keys = schema ? uniqueKeys(schema) : [];
  const perPage = Math.max(1, Math.min(REWRITE_PAGE, Math.floor(MAX_WRITES / (1 + 2 * keys.length))));
  let changed = 0;
  for await (const ids of idPages(col, perPage)) {
    changed += await db.runTransaction(async (t) => rewritePage(t, col, ids, edit, keys), { maxAttempts: attempts });
  }
  return changed;
}

async function rewritePage(t: Transaction, col: CollectionReference, ids: readonly string[], edit: DocumentEdit, keys: readonly IndexSchema[]): Promise<number> {
  const schema = edit.ensure;
  const snaps = await t.getAll(...ids.map((id) => col.doc(id)));
  const writes: { ref: DocumentReference; update: Record<string, unknown> }[] = [];
  const claims: { ref: DocumentReference; owner: string; fields: readonly string[] }[] = [];
  const releases: DocumentReference[] = [];
  for (const s of snaps) {
    if (!s.exists) continue;
    const { next, problem } = transform(s.data()!, edit);
    if (problem) throw new MigrationError(`Cannot change ${col.id}: document ${s.id} ${problem}. Fill it with a backfill first.`, { info: { table: col.id, id: s.id } });
    const update = diff(s.data()!, next);
    if (update) writes.push({ ref: s.ref, update });
    if (!schema || keys.length === 0) continue;
    for (const { key, ref } of lockRefs(schema, col, decodeRow(schema, s.id, next))) {
      claims.push({ ref, owner: s.id, fields: key.fields });
      const before = keyNameBefore(schema, key, edit);
      if (before) releases.push(lockCollection(col).doc(`${before}${ref.id.slice(-LOCK_DIGEST_SUFFIX)}`));
    }
  }
  const locks = claims.length ? await t.getAll(...claims.map((c) => c.ref)) : [];
  for (const [i, lock] of locks.entries()) {
    const c = claims[i]!;
    const owner = lock.exists ? String(lock.get('owner')) : undefined;
    if (owner !== undefined && owner !== c.owner) {
      throw new MigrationError(`Cannot make ${col.id}(${c.fields.join(', ')}) unique: documents ${owner} and ${c.owner} hold the same value. Remove the duplicates first.`, { info: { table: col.id, fields: c.fields, ids: [owner, c.owner] } });
    }
    if (owner === undefined) t.set(c.ref, { owner: c.owner });
  }
  for (const ref of releases) t.delete(ref);
  for (const w of writes) t.update(w.ref, w.update);
  return writes.length;
}

/**
 * Delete the lock documents of unique keys that no longer exist: those
 * named `index` exactly, or (for a dropped field) whose key covers one of
 * `columns`. Returns how many were deleted.
 *
 * @example
 * ```ts
 * await deleteLocks(db, db.collection('tickets'), { columns: ['email_bidx'] });
 * ```
 */
export async function deleteLocks(db: Firestore, col: CollectionReference, which: { readonly index?: string; readonly columns?: readonly string[] }): Promise<number> {
  const locks = lockCollection(col);
  const matches = (id: string): boolean => {
    const key = id.slice(0, -LOCK_DIGEST_SUFFIX);
    if (which.index !== undefined) return key === which.index;
    return key.endsWith('_key') && (which.columns ?? []).some((c) => `${key.slice(0, -3)}`.includes(`_${c}_`));
  };
  let deleted = 0;
  for await (const ids of idPages(locks, MAX_WRITES)) {
    const gone = ids.filter(matches);
    if (gone.length === 0) continue;
    const batch = db.batch();
    for (const id of gone) batch.delete(locks.doc(id));
    await batch.commit();
    deleted += gone.length;
  }
  return deleted;
}

/**
 * Move every document of `from` to `to` (same ids), each page in one
 * transaction (created there, deleted here), then the lock documents,
 * renamed for the new repository name. Safe to run again after a crash.
 *
 * @example
 * ```ts
 * await moveCollection(db, before, after, 10);
 * ```
 */
export async function moveCollection(db: Firestore, from: RepositorySchema, to: RepositorySchema, attempts: number): Promise<number> {
  const src = db.collection(from.table);
  const dst = db.collection(to.table);
  let moved = 0;
  for await (const ids of idPages(src, MAX_WRITES / 2)) {
    moved += await db.runTransaction(async (t) => {
      const snaps = (await t.getAll(...ids.map((id) => src.doc(id)))).filter((s) => s.exists);
      for (const s of snaps) {
        t.set(dst.doc(s.id), s.data()!);
        t.delete(s.ref);
      }
      return snaps.length;
    }, { maxAttempts: attempts });
  }
  const oldLocks = lockCollection(src);
  const newLocks = lockCollection(dst);
  for await (const ids of idPages(oldLocks, MAX_WRITES / 2)) {
    await db.runTransaction(async (t) => {
      const snaps = (await t.getAll(...ids.map((id) => oldLocks.doc(id)))).filter((s) => s.exists);
      for (const s of snaps) {
        const id = s.id.startsWith(`${from.name}_`) ? `${to.name}_${s.id.slice(from.name.length + 1)}` : s.id;
        t.set(newLocks.doc(id), s.data()!);
        t.delete(s.ref);
      }
    }, { maxAttempts: attempts });
  }
  return moved;
}
