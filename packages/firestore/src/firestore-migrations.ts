import { FieldPath, Timestamp, type DocumentSnapshot, type Firestore } from '@google-cloud/firestore';
import { toSnakeCase, type FieldMeta, type MigrationBackend, type MigrationRecord, type ProgressRecord, type RepositorySchema, type SchemaChange, type StoredTable } from '@chatcore/core/driver';
import { MigrationLease } from './migration-lease.js';
import { checkDocuments, deleteLocks, LOCK_DIGEST_SUFFIX, moveCollection, rewriteDocuments, type DocumentEdit } from './document-rewrite.js';
import { lockCollection } from './unique-locks.js';
import { grpcCode, mapError } from './error-map.js';

/** The history collection: one document per migration, keyed by its id. */
const HISTORY = 'chatcore_migrations';
const DESCRIBE_PAGE = 1000;

/** Stored types `describe` reports, and the field types whose values each holds. */
const HOLDS: Record<string, readonly string[]> = {
  string: ['string', 'text', 'id', 'enum', 'json', 'uuid'],
  integer: ['integer', 'bigint', 'version', 'number'],
  double: ['number'],
  boolean: ['boolean'],
  timestamp: ['timestamp'],
  bytes: ['bytes'],
  array: ['array'],
};

function typeOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return 'integer';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'double';
  if (v instanceof Timestamp) return 'timestamp';
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'map' : typeof v;
}

interface Edit {
  renames: { from: string; to: string; fromColumn: string }[];
  drops: string[];
  required: string[];
  ensure: RepositorySchema | undefined;
  dropColumns: string[];
  dropIndexes: string[];
}

/**
 * Migrations on Firestore: the `chatcore_migrations` history collection,
 * a lease document as the lock (see MigrationLease), and schema changes as
 * document rewrites: every document of a changed collection is read and
 * rewritten (renamed and dropped fields, new fields stored as null, unique
 * lock documents claimed, moved or deleted) in transactions of 100
 * documents (at most 500 writes), so concurrent writers keep their changes. Firestore has no
 * multi-document atomicity at that size: a change that fails a check
 * (a required field without a value) fails before writing, and a pass
 * interrupted half-way is completed by running it again (it is idempotent).
 *
 * @example
 * ```ts
 * const fs = firestore({ projectId: 'demo' });
 * const backend: FirestoreMigrationBackend = fs.migrations; // or new FirestoreMigrationBackend(() => fs.firestore, { leaseMs: 30_000, attempts: 10 })
 * await backend.withLock(async () => console.log(await backend.history()));
 * ```
 */
export class FirestoreMigrationBackend implements MigrationBackend {
  private readonly lease: MigrationLease;

  constructor(private readonly db: () => Firestore, private readonly options: { readonly leaseMs: number; readonly attempts: number }) {
    this.lease = new MigrationLease(db, options.leaseMs);
  }

  withLock<T>(fn: () => Promise<T>): Promise<T> {
    // Taking the lease is the first call to Firestore: an unreachable server fails here, as a typed error.
    return this.guard(() => this.lease.hold(fn));
  }

  async history(): Promise<MigrationRecord[]> {
    const snap = await this.guard(() => this.db().collection(HISTORY).get());
    const out = snap.docs.map((d) => ({
      id: d.id,
      checksum: String(d.get('checksum')),
      startedAt: (d.get('startedAt') as Timestamp).toDate(),
      finishedAt: d.get('finishedAt') ? (d.get('finishedAt') as Timestamp).toDate() : undefined,
      progress: JSON.parse(String(d.get('progress') ?? '{}')) as Record<string, unknown>,
    }));
    return out.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async start(id: string, checksum: string): Promise<void> {
    await this.record(id, (snap) => (!snap.exists ? { checksum, startedAt: Timestamp.now(), finishedAt: null, progress: '{}' } : snap.get('finishedAt') ? undefined : { checksum }));
  }

  async saveProgress(id: string, progress: Readonly<Record<string, unknown>>): Promise<void> {
    await this.record(id, (snap) => (snap.exists ? { progress: JSON.stringify(progress) } : undefined));
  }

  async finish(id: string): Promise<void> {
    await this.record(id, (snap) => (snap.exists ? { finishedAt: Timestamp.now() } : undefined));
  }

  async applySchemaChanges(changes: readonly SchemaChange[], ensure: readonly RepositorySchema[], record?: ProgressRecord): Promise<string[]> {
    const db = this.db();
    const done: string[] = [];
    const edits = new Map<string, Edit>();
    const editOf = (table: string): Edit => {
      let e = edits.get(table);
      if (!e) edits.set(table, (e = { renames: [], drops: [], required: [], ensure: undefined, dropColumns: [], dropIndexes: [] }));
      return e;
    };
    for (const c of changes) {
      switch (c.kind) {
        case 'renameRepository': {
          const n = await this.guard(() => moveCollection(db, c.from, c.to, this.options.attempts));
          done.push(`move ${c.from.table} to ${c.to.table} (${n} documents)`);
          break;
        }
        case 'renameField':
          editOf(c.table).renames.push({ from: c.from.name, to: c.to.name, fromColumn: c.from.meta.column ?? toSnakeCase(c.from.name) });
          break;
        case 'dropField':
          editOf(c.table).drops.push(c.field.name);
          editOf(c.table).dropColumns.push(c.field.meta.column ?? toSnakeCase(c.field.name));
          break;
        case 'setRequired':
          if (c.required) editOf(c.table).required.push(c.field.name);
          break;
        case 'dropIndex':
          if (c.schema.indexes.some((i) => i.name === c.index && i.unique)) editOf(c.schema.table).dropIndexes.push(c.index);
          break;
      }
    }
    // Owned schemas (created by plugins) are listed so SQL creates them; Firestore creates collections on write.
    for (const s of ensure) if (!s.ownedBy || edits.has(s.table)) editOf(s.table).ensure = s;
    for (const [table, e] of edits) await this.guard(() => checkDocuments(db.collection(table), e as DocumentEdit));
    for (const [table, e] of edits) {
      const col = db.collection(table);
      const n = await this.guard(() => rewriteDocuments(db, col, e as DocumentEdit, this.options.attempts));
      done.push(`rewrite ${table}: ${describeEdit(e)} (${n} documents changed)`);
      if (e.dropColumns.length) done.push(`delete unique locks over ${table}(${e.dropColumns.join(', ')}): ${await this.guard(() => deleteLocks(db, col, { columns: e.dropColumns }))}`);
      for (const index of e.dropIndexes) done.push(`delete unique locks of ${index}: ${await this.guard(() => deleteLocks(db, col, { index }))}`);
    }
    if (record) await this.saveProgress(record.id, record.progress);
    return done;
  }

  async describe(tables: readonly string[]): Promise<Map<string, StoredTable>> {
    const out = new Map<string, StoredTable>();
    for (const table of tables) {
      const col = this.db().collection(table);
      const columns = new Map<string, { type: string; nullable: boolean; missing?: number }>();
      const held = new Map<string, number>();
      let after: string | undefined;
      let seen = 0;
      for (;;) {
        let q = col.orderBy(FieldPath.documentId()).limit(DESCRIBE_PAGE);
        if (after !== undefined) q = q.startAfter(after);
        const snap = await this.guard(() => q.get());
        for (const d of snap.docs) {
          for (const [k, v] of Object.entries(d.data())) {
            const prev = columns.get(k);
            const type = typeOf(v);
            columns.set(k, { type: prev && prev.type !== 'null' ? prev.type : type, nullable: (prev?.nullable ?? false) || type === 'null' });
            held.set(k, (held.get(k) ?? 0) + 1);
          }
        }
        seen += snap.size;
        if (snap.size < DESCRIBE_PAGE) break;
        after = snap.docs[snap.size - 1]!.id;
      }
      if (seen === 0) continue;
      // A field some documents lack is nullable too, and `missing` says how many lack it (a migration stores it there).
      for (const [k, c] of columns) if (held.get(k)! < seen) columns.set(k, { ...c, nullable: true, missing: seen - held.get(k)! });
      columns.set('id', { type: 'string', nullable: false });
      // Unique keys are the lock documents' key names; plain indexes are deployed outside (firestore.indexes.json).
      const keys = new Set<string>();
      for (const d of (await this.guard(() => lockCollection(col).select().get())).docs) keys.add(d.id.slice(0, -LOCK_DIGEST_SUFFIX));
      out.set(table, { table, columns, indexes: keys, indexesListed: 'unique' });
    }
    return out;
  }

  holds(meta: FieldMeta, storedType: string): boolean {
    return storedType === 'null' || storedType === 'map' || (HOLDS[storedType]?.includes(meta.type) ?? true);
  }

  /** Change a history document in a transaction that also checks the lease is still ours. */
  private async record(id: string, change: (snap: DocumentSnapshot) => Record<string, unknown> | undefined): Promise<void> {
    const db = this.db();
    const ref = db.collection(HISTORY).doc(id);
    await this.guard(() => db.runTransaction(async (t) => {
      await this.lease.assertHeld(t);
      const snap = await t.get(ref);
      const data = change(snap);
      if (data) t.set(ref, data, { merge: true });
    }, { maxAttempts: this.options.attempts }));
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw grpcCode(error) === undefined ? error : mapError(error, 'migration');
    }
  }
}

function describeEdit(e: Edit): string {
  const parts = [
    ...e.renames.map((r) => `rename ${r.from} to ${r.to}`),
    ...e.drops.map((d) => `drop ${d}`),
    ...e.required.map((r) => `require ${r}`),
  ];
  if (e.ensure) parts.push(`ensure ${Object.keys(e.ensure.fields).filter((f) => f !== 'id').join(', ')}`);
  return parts.join(', ') || 'nothing';
}
