import { isDeepStrictEqual } from 'node:util';
import { ChatcoreError, ConnectionError, TimeoutError } from '@chatcore/core';
import type { RepositorySchema } from '@chatcore/core/driver';
import type { DocumentReference } from '@google-cloud/firestore';
import { withFreshDeadline } from './sdk-deadlines.js';
import { decodeRow, type DocumentFields } from './value-codec.js';
import type { DriverContext } from './reader.js';

/**
 * The lookup's own deadline (or callTimeout, if shorter): a live backend
 * answers a read of a few ids in milliseconds, and a hung one must not
 * keep the caller a second callTimeout.
 */
const LOOKUP_TIMEOUT_MS = 1000;

/**
 * One record of a batched create, as it was sent.
 *
 * @example
 * ```ts
 * const sent: SentCreate = { id, ref: collection.doc(id), data: encodeRow(schema, row) };
 * ```
 */
export interface SentCreate {
  readonly id: string;
  readonly ref: DocumentReference;
  readonly data: DocumentFields;
}

/**
 * Whether `error` is a commit that was sent and may or may not have been
 * applied (see installCommitRules): `info.outcome: 'unknown'`.
 *
 * @example
 * ```ts
 * if (isUnknownOutcome(error)) await settleCreate(ctx, schema, sent, error);
 * ```
 */
export function isUnknownOutcome(error: unknown): error is ChatcoreError {
  return error instanceof ChatcoreError && error.info.outcome === 'unknown';
}

/**
 * A batched create whose commit fate is unknown, settled by reading its
 * ids once, under a fresh deadline (LOOKUP_TIMEOUT_MS or callTimeout,
 * whichever is shorter; the caller's signal still stops it). Ids are made client-side and a batch is atomic, so every
 * record present with the content sent proves the commit was applied:
 * resolves, and the create succeeds. Anything else rejects with the
 * commit's error, still saying the outcome is unknown (`info.lookup`:
 * `absent`, `different` or `failed`): a commit that was sent and not yet
 * applied can still be applied after the lookup, so absence proves nothing.
 *
 * @example
 * ```ts
 * try { await batch.commit(); } catch (e) { if (!isUnknownOutcome(e)) throw e; await settleCreate(ctx, schema, sent, e); }
 * ```
 */
export async function settleCreate(ctx: DriverContext, schema: RepositorySchema, sent: readonly SentCreate[], error: ChatcoreError): Promise<void> {
  let lookup: 'absent' | 'different' | 'failed';
  try {
    const snaps = await withFreshDeadline(Math.min(LOOKUP_TIMEOUT_MS, ctx.callTimeoutMs), () => ctx.db.getAll(...sent.map((s) => s.ref)));
    const present = snaps.filter((s) => s.exists);
    if (present.length === sent.length && sent.every((s, i) => isDeepStrictEqual(decodeRow(schema, s.id, snaps[i]!.data()!), decodeRow(schema, s.id, s.data)))) return;
    lookup = present.length === 0 ? 'absent' : 'different';
  } catch {
    lookup = 'failed';
  }
  const found = {
    absent: 'A lookup right after found none of the records; the commit may still be applied later, so the outcome stays unknown.',
    different: 'A lookup right after found records that differ from the ones sent under these ids.',
    failed: 'A lookup right after did not get an answer either.',
  }[lookup];
  const options = { cause: error.cause ?? error, info: { ...error.info, lookup } };
  throw error instanceof TimeoutError ? new TimeoutError(`${error.message} ${found}`, options) : new ConnectionError(`${error.message} ${found}`, options);
}
