import { FieldValue, type DocumentReference, type Transaction } from '@google-cloud/firestore';
import { applyPatch, compareValues, copyRow, evaluateCondition as matches, isAfterCursor as isAfter, sortRows, type AggregateRow, type Condition, type DriverCallOptions, type NormalizedAggregate, type DriverSession, type NormalizedPatch, type NormalizedQuery, type RepositorySchema, type StoredRow, type UpsertSpec, type WriteTarget } from '@chatcore/core/driver';
import { TransactionError, UniqueViolationError, UnsupportedQueryError } from '@chatcore/core';
import { assertDocumentSize, assertIds, assertSchemaNames, documentSize } from './document-rules.js';
import { requestTooLarge } from './request-size.js';
import { ChunkOverBudget, fittingPrefix } from './chunk-budget.js';
import { countRows, matchingIds, project, readByIds, readQuery } from './query-runner.js';
import { aggregateQuery } from './aggregate-query.js';
import { transactionReader, type DriverContext, type Reader } from './reader.js';
import { lockRefs } from './unique-locks.js';
import { withCallScope } from './sdk-deadlines.js';
import { encodeRow, encodeValue } from './value-codec.js';

/** Bytes a write adds to the request besides its document (name, precondition, framing); generous on purpose. */
const WRITE_OVERHEAD = 256;

interface Entry {
  readonly schema: RepositorySchema;
  readonly ref: DocumentReference;
  /** The document as stored when this transaction first read it (null: absent). */
  readonly base: StoredRow | null;
  current: StoredRow | null;
  /** Fields changed only by increments since `base`, for FieldValue.increment. */
  readonly increments: Set<string>;
}

interface LockEntry {
  readonly ref: DocumentReference;
  /** Owner stored in Firestore (undefined: not read, only released). */
  readonly base: string | null | undefined;
  current: string | null;
}

/**
 * A driver session inside one Firestore transaction attempt. Firestore
 * wants every read before the first write, so writes are buffered here and
 * sent when the function returns (`flush`); reads see the buffered writes
 * (by id, and in queries and counts by merging them into the results).
 * Every document is read before it is written, which locks it, so the
 * computed rows are exactly what commits. Rows go in and out as deep
 * copies: a caller changing a record it got back must not change what the
 * buffer commits.
 *
 * @example
 * ```ts
 * await db.runTransaction(async (t) => { const s = new TransactionSession(ctx, t); await fn(s); s.flush(); });
 * ```
 */
export class TransactionSession implements DriverSession {
  private readonly reader: Reader;
  private readonly docs = new Map<string, Entry>();
  private readonly locks = new Map<string, LockEntry>();
  /** Set once the attempt is over: writes buffered after that would never be flushed, and reads would use a finished transaction. */
  private ended = false;
  /** Request bytes of the writes the last `flush` handed to the transaction. */
  flushedBytes = 0;

  /**
   * `budget`: for one chunk of a split updateMany/deleteMany, the request
   * bytes its writes may take (maxBatchBytes); over it, `flush` raises
   * ChunkOverBudget instead of writing. Without it (a caller's transaction,
   * which never splits), only the request limit applies.
   */
  constructor(private readonly ctx: DriverContext, private readonly t: Transaction, private readonly budget?: number) {
    this.reader = transactionReader(t);
  }

  /** The attempt is over (committed, rolled back or retried): the session refuses every later call. */
  end(): void {
    this.ended = true;
  }

  private open(): Promise<never> | undefined {
    if (!this.ended) return undefined;
    return Promise.reject(new TransactionError(
      'This Firestore transaction session was used after its transaction ended; what it wrote would never be committed. ' +
        'A session works only inside the function passed to transaction().',
    ));
  }

  async getByIds(schema: RepositorySchema, ids: readonly string[], options: DriverCallOptions): Promise<StoredRow[]> {
    await this.open();
    const rows = await withCallScope(options, () => this.rowsByIds(schema, ids));
    return options.select ? rows.map((r) => project(r, options.select!)) : rows;
  }

  query(schema: RepositorySchema, query: NormalizedQuery, options: DriverCallOptions): Promise<StoredRow[]> {
    const refused = this.open();
    if (refused) return refused;
    return withCallScope(options, () => this.queryRows(schema, query));
  }

  private async queryRows(schema: RepositorySchema, query: NormalizedQuery): Promise<StoredRow[]> {
    const pending = this.pendingOf(schema);
    const byIds = (ids: readonly string[]) => this.rowsByIds(schema, ids);
    if (pending.length === 0) return readQuery(this.ctx, this.reader, schema, query, byIds);
    // Over-fetch by the number of documents this transaction touched, then merge its own versions in.
    const start = query.offset ?? 0;
    const limit = query.limit === undefined ? undefined : start + query.limit + pending.length;
    const base = await readQuery(this.ctx, this.reader, schema, { ...query, offset: undefined, limit, select: undefined }, byIds);
    let rows = base.filter((r) => !this.docs.has(this.key(schema, r.id as string)));
    for (const e of pending) {
      if (e.current && matches(query.where, e.current) && (!query.after || isAfter(e.current, query.orderBy, query.after))) rows.push(e.current);
    }
    rows = sortRows(rows, query.orderBy).slice(start, query.limit === undefined ? undefined : start + query.limit);
    return rows.map((r) => copyRow(r, query.select));
  }

  async count(schema: RepositorySchema, where: Condition | undefined, options: DriverCallOptions): Promise<number> {
    await this.open();
    let n = await withCallScope(options, () => countRows(this.ctx, this.reader, schema, where, (ids) => readByIds(this.ctx, this.reader, schema, ids)));
    // The aggregate counted stored documents; swap in this transaction's versions.
    for (const e of this.pendingOf(schema)) {
      n += (e.current && matches(where, e.current) ? 1 : 0) - (e.base && matches(where, e.base) ? 1 : 0);
    }
    return n;
  }

  async aggregate(schema: RepositorySchema, agg: NormalizedAggregate, options: DriverCallOptions): Promise<AggregateRow[]> {
    await this.open();
    if (this.pendingOf(schema).length) {
      // The native aggregation sees only stored documents; this transaction's own writes would be missing from it.
      throw new UnsupportedQueryError(`Firestore cannot aggregate ${schema.name} after writing to it in the same transaction; aggregate before the writes.`, { info: { backend: 'firestore', limit: 'aggregate' } });
    }
    return withCallScope(options, () => aggregateQuery(this.ctx, this.reader, schema, agg, (ids) => readByIds(this.ctx, this.reader, schema, ids)));
  }

  async insert(schema: RepositorySchema, rows: readonly StoredRow[], options: DriverCallOptions): Promise<void> {
    await this.open();
    return withCallScope(options, () => this.atomically(() => this.insertRows(schema, rows)));
  }

  private async insertRows(schema: RepositorySchema, rows: readonly StoredRow[]): Promise<void> {
    assertSchemaNames(schema);
    assertIds(schema, rows.map((r) => r.id));
    rows.forEach((r, i) => assertDocumentSize(schema, r.id as string, encodeRow(schema, r), rows.length > 1 ? `[${i}]` : '(input)'));
    const existing = await this.rowsByIds(schema, rows.map((r) => r.id as string));
    if (existing.length) throw new UniqueViolationError(schema.name, ['id']);
    for (const row of rows) {
      await this.claimLocks(schema, row.id as string, null, row);
      this.write(schema, row.id as string, null, copyRow(row), undefined);
    }
  }

  update(schema: RepositorySchema, target: WriteTarget, patch: NormalizedPatch, options: DriverCallOptions): Promise<StoredRow[]> {
    const refused = this.open();
    if (refused) return refused;
    return withCallScope(options, () => this.atomically(() => this.updateRows(schema, target, patch)));
  }

  private async updateRows(schema: RepositorySchema, target: WriteTarget, patch: NormalizedPatch): Promise<StoredRow[]> {
    const out: StoredRow[] = [];
    for (const row of await this.targets(schema, target)) {
      const next = applyPatch(schema, row, patch);
      assertDocumentSize(schema, row.id as string, encodeRow(schema, next));
      await this.claimLocks(schema, row.id as string, row, next);
      this.write(schema, row.id as string, row, next, patch);
      out.push(copyRow(next));
    }
    return out;
  }

  delete(schema: RepositorySchema, target: WriteTarget, options: DriverCallOptions): Promise<string[]> {
    const refused = this.open();
    if (refused) return refused;
    return withCallScope(options, () => this.atomically(() => this.deleteRows(schema, target)));
  }

  private async deleteRows(schema: RepositorySchema, target: WriteTarget): Promise<string[]> {
    const ids: string[] = [];
    for (const row of await this.targets(schema, target)) {
      await this.claimLocks(schema, row.id as string, row, null);
      this.write(schema, row.id as string, row, null, undefined);
      ids.push(row.id as string);
    }
    return ids;
  }

  async upsert(schema: RepositorySchema, row: StoredRow, spec: UpsertSpec, options: DriverCallOptions): Promise<{ row: StoredRow; created: boolean }> {
    await this.open();
    const fields = spec.conflictFields.length ? spec.conflictFields : ['id'];
    let existing: StoredRow | undefined;
    if (fields.every((f) => row[f] !== null && row[f] !== undefined)) {
      const where: Condition = { kind: 'and', conditions: fields.map((field) => ({ kind: 'cmp' as const, field, op: 'eq' as const, value: row[field] })) };
      [existing] = await this.query(schema, { where, orderBy: [{ field: 'id', direction: 'asc' }], limit: 1 }, options);
    }
    if (!existing) {
      await this.insert(schema, [row], options);
      return { row: copyRow(row), created: true };
    }
    const [updated] = await this.update(schema, { ids: [existing.id as string] }, spec.patch, options);
    return { row: updated!, created: false };
  }

  transaction<T>(): Promise<T> {
    const refused = this.open();
    if (refused) return refused;
    return Promise.reject(new UnsupportedQueryError('Firestore has no nested transactions (savepoints); run the work in the outer transaction.', { info: { backend: 'firestore', limit: 'nestedTransactions' } }));
  }

  /**
   * Run one operation so that it changes the buffered state entirely or not
   * at all: a caller that catches an error (a duplicate in the third row of
   * five) and commits must not commit the first two rows.
   */
  private async atomically<T>(fn: () => Promise<T>): Promise<T> {
    const docs = [...this.docs].map(([k, e]) => [k, { ...e, increments: new Set(e.increments) }] as const);
    const locks = [...this.locks].map(([k, l]) => [k, { ...l }] as const);
    try {
      return await fn();
    } catch (error) {
      this.docs.clear();
      for (const [k, e] of docs) this.docs.set(k, e);
      this.locks.clear();
      for (const [k, l] of locks) this.locks.set(k, l);
      throw error;
    }
  }

  /**
   * Hand every buffered write to the Firestore transaction; it commits when
   * the callback returns. Writes that would not fit in one request
   * (`maxRequestBytes`: 10 MiB, 4 MiB on the emulator) are refused first,
   * with nothing handed over: sent, they would only end in a timeout. A
   * chunk session's writes over its `budget` raise ChunkOverBudget, with
   * nothing handed over either.
   */
  flush(): void {
    const writes: Array<() => void> = [];
    const docs: { id: string; bytes: number }[] = [];
    let bytes = 0;
    const add = (write: () => void, n: number, id?: string) => {
      writes.push(write);
      bytes += n;
      if (id !== undefined) docs.push({ id, bytes: n });
    };
    for (const e of this.docs.values()) {
      const table = e.schema.table;
      if (e.current === null) {
        if (e.base === null) continue;
        add(() => this.t.delete(e.ref), documentSize(table, e.ref.id, {}) + WRITE_OVERHEAD, e.ref.id);
      } else if (e.base === null) {
        const data = encodeRow(e.schema, e.current);
        add(() => this.t.create(e.ref, data), documentSize(table, e.ref.id, data) + WRITE_OVERHEAD, e.ref.id);
      } else {
        const changes = this.changes(e);
        if (!changes) continue;
        add(() => this.t.update(e.ref, changes), documentSize(table, e.ref.id, changes) + WRITE_OVERHEAD, e.ref.id);
      }
    }
    const docBytes = bytes;
    for (const l of this.locks.values()) {
      if (l.current === l.base) continue;
      const owner = l.current;
      add(owner === null ? () => this.t.delete(l.ref) : () => this.t.set(l.ref, { owner }), Buffer.byteLength(l.ref.path) + (owner === null ? 0 : Buffer.byteLength(owner)) + WRITE_OVERHEAD);
    }
    if (this.budget !== undefined && docs.length > 1 && bytes > this.budget) {
      throw new ChunkOverBudget(fittingPrefix(docs, this.budget - (bytes - docBytes)), bytes, this.budget);
    }
    if (bytes > this.ctx.maxRequestBytes) throw requestTooLarge(`a transaction of ${writes.length} writes`, { bytes, limit: this.ctx.maxRequestBytes });
    for (const write of writes) write();
    this.flushedBytes = bytes;
  }

  /** Changed fields; pure increments of plain numbers go as FieldValue.increment (exact: the document is locked by our read). */
  private changes(e: Entry): Record<string, unknown> | undefined {
    const out: Record<string, unknown> = {};
    let any = false;
    for (const [name, meta] of Object.entries(e.schema.fields)) {
      if (name === 'id') continue;
      const before = e.base![name];
      const after = e.current![name];
      if (sameValue(before, after)) continue;
      any = true;
      const delta = typeof before === 'number' && typeof after === 'number' ? after - before : undefined;
      out[name] = e.increments.has(name) && delta !== undefined && Number.isSafeInteger(delta) && Number.isInteger(before) ? FieldValue.increment(delta) : encodeValue(meta, after);
    }
    return any ? out : undefined;
  }

  private async targets(schema: RepositorySchema, target: WriteTarget): Promise<StoredRow[]> {
    assertSchemaNames(schema);
    let ids = target.ids;
    if (!ids) ids = [...await matchingIds(this.ctx, this.reader, schema, target.where), ...this.pendingOf(schema).map((e) => e.ref.id)];
    return (await this.rowsByIds(schema, ids)).filter((r) => matches(target.where, r));
  }

  private write(schema: RepositorySchema, id: string, before: StoredRow | null, next: StoredRow | null, patch: NormalizedPatch | undefined): void {
    const key = this.key(schema, id);
    let e = this.docs.get(key);
    if (!e) {
      e = { schema, ref: this.ctx.collection(schema).doc(id), base: before ? { ...before } : null, current: null, increments: new Set() };
      this.docs.set(key, e);
    }
    e.current = next;
    if (patch) {
      for (const f of Object.keys(patch.increment)) if (!(f in patch.set)) e.increments.add(f);
      for (const f of Object.keys(patch.set)) e.increments.delete(f);
    }
  }

  private async claimLocks(schema: RepositorySchema, id: string, before: StoredRow | null, next: StoredRow | null): Promise<void> {
    const col = this.ctx.collection(schema);
    const old = lockRefs(schema, col, before);
    const now = lockRefs(schema, col, next);
    const oldPaths = new Set(old.map((l) => l.ref.path));
    const newPaths = new Set(now.map((l) => l.ref.path));
    const unread = now.filter((l) => !oldPaths.has(l.ref.path) && !this.locks.has(l.ref.path));
    const snaps = await this.reader.getAll(unread.map((l) => l.ref));
    for (const s of snaps) {
      const owner = s.exists ? String(s.get('owner')) : null;
      this.locks.set(s.ref.path, { ref: s.ref, base: owner, current: owner });
    }
    for (const l of now) {
      if (oldPaths.has(l.ref.path)) continue;
      const entry = this.locks.get(l.ref.path)!;
      if (entry.current !== null && entry.current !== id) throw new UniqueViolationError(schema.name, l.key.fields);
    }
    for (const l of old) {
      if (newPaths.has(l.ref.path)) continue;
      const entry = this.locks.get(l.ref.path);
      if (entry) entry.current = null;
      else this.locks.set(l.ref.path, { ref: l.ref, base: undefined, current: null });
    }
    for (const l of now) {
      if (!oldPaths.has(l.ref.path)) this.locks.get(l.ref.path)!.current = id;
    }
  }

  /** Rows by id as this transaction sees them (its own writes first). */
  private async rowsByIds(schema: RepositorySchema, ids: readonly string[]): Promise<StoredRow[]> {
    const out: StoredRow[] = [];
    const unknown: string[] = [];
    for (const id of new Set(ids)) {
      const e = this.docs.get(this.key(schema, id));
      if (!e) unknown.push(id);
      else if (e.current) out.push(copyRow(e.current));
    }
    if (unknown.length) out.push(...(await readByIds(this.ctx, this.reader, schema, unknown)));
    return out;
  }

  private pendingOf(schema: RepositorySchema): Entry[] {
    const out: Entry[] = [];
    for (const e of this.docs.values()) if (e.schema.table === schema.table) out.push(e);
    return out;
  }

  private key(schema: RepositorySchema, id: string): string {
    return `${schema.table}/${id}`;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (Array.isArray(a) || Array.isArray(b) || (typeof a === 'object' && !(a instanceof Date) && !(a instanceof Uint8Array))) {
    return JSON.stringify(a, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)) === JSON.stringify(b, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
  }
  return compareValues(a, b) === 0 && typeof a === typeof b;
}
