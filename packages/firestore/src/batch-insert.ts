import { PartialWriteError, UniqueViolationError } from '@chatcore/core';
import { type RepositorySchema, type StoredRow } from '@chatcore/core/driver';
import type { CollectionReference, DocumentReference } from '@google-cloud/firestore';
import { isUnknownOutcome, settleCreate } from './create-outcome.js';
import { assertDocumentSize, assertIds, assertSchemaNames } from './document-rules.js';
import { GrpcStatus, grpcCode, mapError } from './error-map.js';
import { lockRefs, uniqueKeys } from './unique-locks.js';
import { encodeRow } from './value-codec.js';
import type { DriverContext } from './reader.js';

/** Request bytes a write adds beyond its document (name, mask, precondition). */
const WRITE_OVERHEAD = 256;
const COMMIT_ATTEMPTS = 3;

interface Unit {
  readonly id: string;
  readonly ref: DocumentReference;
  readonly data: Record<string, unknown>;
  readonly locks: readonly DocumentReference[];
  readonly bytes: number;
}

/**
 * Insert rows with `create()` (a duplicate id fails) in batched writes.
 * Everything is validated and encoded before the first commit. Rows are cut
 * into batches of at most `maxBatchOps` writes (a record and its unique
 * locks stay together) and `maxBatchBytes` of request; each batch is
 * atomic. When a batch after the first fails, PartialWriteError lists the
 * ids of the batches already committed. A batch whose commit was sent but
 * got no answer is looked up once (see settleCreate): found as sent, it
 * counts as committed.
 *
 * @example
 * ```ts
 * await insertBatched(ctx, schema, rows);
 * ```
 */
export async function insertBatched(ctx: DriverContext, schema: RepositorySchema, rows: readonly StoredRow[]): Promise<void> {
  assertSchemaNames(schema);
  assertIds(schema, rows.map((r) => r.id));
  const col = ctx.collection(schema);
  const seenLocks = new Set<string>();
  const units: Unit[] = rows.map((row, i) => {
    const id = row.id as string;
    const data = encodeRow(schema, row);
    const size = assertDocumentSize(schema, id, data, rows.length > 1 ? `[${i}]` : '(input)');
    const locks = lockRefs(schema, col, row);
    for (const l of locks) {
      if (seenLocks.has(l.ref.path)) throw new UniqueViolationError(schema.name, l.key.fields);
      seenLocks.add(l.ref.path);
    }
    return { id, ref: col.doc(id), data, locks: locks.map((l) => l.ref), bytes: size + WRITE_OVERHEAD * (1 + locks.length) };
  });
  const written: string[] = [];
  for (const chunk of chunks(units, ctx.maxBatchOps, ctx.maxBatchBytes)) {
    try {
      await commit(ctx, schema, chunk);
    } catch (error) {
      const mapped = insertError(error, schema, col);
      if (written.length === 0) throw mapped;
      throw new PartialWriteError(schema.name, written, { cause: mapped });
    }
    for (const u of chunk) written.push(u.id);
  }
}

function* chunks(units: readonly Unit[], maxOps: number, maxBytes: number): Generator<Unit[]> {
  let chunk: Unit[] = [];
  let ops = 0;
  let bytes = 0;
  for (const u of units) {
    const uOps = 1 + u.locks.length;
    if (chunk.length && (ops + uOps > maxOps || bytes + u.bytes > maxBytes)) {
      yield chunk;
      chunk = [];
      ops = 0;
      bytes = 0;
    }
    chunk.push(u);
    ops += uOps;
    bytes += u.bytes;
  }
  if (chunk.length) yield chunk;
}

async function commit(ctx: DriverContext, schema: RepositorySchema, chunk: readonly Unit[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    // A WriteBatch commits once; a retry after ABORTED (nothing was applied) needs a new one.
    const batch = ctx.db.batch();
    for (const u of chunk) {
      batch.create(u.ref, u.data);
      for (const l of u.locks) batch.create(l, { owner: u.id });
    }
    try {
      await batch.commit();
      return;
    } catch (error) {
      // Sent, fate unknown: the ids are ours, so a lookup can prove it was applied.
      if (isUnknownOutcome(error)) return settleCreate(ctx, schema, chunk, error);
      if (grpcCode(error) !== GrpcStatus.ABORTED || attempt >= COMMIT_ATTEMPTS) throw error;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

/**
 * Map a failed create: ALREADY_EXISTS names a record (duplicate id) or a
 * lock document (duplicate unique value, whose key the lock id tells).
 *
 * @example
 * ```ts
 * throw insertError(e, schema, collection);
 * ```
 */
export function insertError(error: unknown, schema: RepositorySchema, col: CollectionReference): Error {
  if (grpcCode(error) !== GrpcStatus.ALREADY_EXISTS) return mapError(error, `${schema.name}.insert`);
  const text = error instanceof Error ? error.message : String(error);
  const lockMarker = `${col.id}__unique/`;
  const at = text.indexOf(lockMarker);
  if (at >= 0) {
    const lockId = text.slice(at + lockMarker.length);
    const key = uniqueKeys(schema).find((k) => lockId.startsWith(`${k.name}-`));
    if (key) return new UniqueViolationError(schema.name, key.fields, { cause: error });
  }
  return new UniqueViolationError(schema.name, ['id'], { cause: error });
}
