import type { AggregateQuery, AggregateSpec, CollectionReference, DocumentSnapshot, Firestore, Query, QuerySnapshot, Transaction } from '@google-cloud/firestore';
import type { RepositorySchema } from '@chatcore/core/driver';

/**
 * What every session of the driver shares: the client, the bulk-write caps
 * and the collection of each schema.
 *
 * @example
 * ```ts
 * const ref = ctx.collection(schema).doc(id);
 * ```
 */
export interface DriverContext {
  readonly db: Firestore;
  readonly maxBatchOps: number;
  readonly maxBatchBytes: number;
  /** The largest request the backend accepts (a transaction's writes are checked against it before commit). */
  readonly maxRequestBytes: number;
  /** Matches the driver will order itself when Firestore cannot (0: refuse such queries). */
  readonly maxSortInMemory: number;
  /** The deadline of one request: a follow-up lookup gets it afresh. */
  readonly callTimeoutMs: number;
  /** Whether the driver targets the emulator, which refuses some queries production serves. */
  readonly emulator: boolean;
  collection(schema: RepositorySchema): CollectionReference;
}

/**
 * Reads through the client directly or through a transaction; the query
 * code is written once against this.
 *
 * @example
 * ```ts
 * const snap = await reader.query(collection.where('a', '==', 1));
 * ```
 */
export interface Reader {
  getAll(refs: readonly import('@google-cloud/firestore').DocumentReference[], fields?: readonly string[]): Promise<DocumentSnapshot[]>;
  query(q: Query): Promise<QuerySnapshot>;
  count(q: AggregateQuery<{ count: import('@google-cloud/firestore').AggregateField<number> }>): Promise<number>;
  /** The values of an aggregation query, by alias. */
  aggregate(q: AggregateQuery<AggregateSpec>): Promise<Record<string, unknown>>;
}

/**
 * A reader outside any transaction.
 *
 * @example
 * ```ts
 * const reader = directReader(db);
 * ```
 */
export function directReader(db: Firestore): Reader {
  return {
    getAll: (refs, fields) => (refs.length === 0 ? Promise.resolve([]) : fields ? db.getAll(...refs, { fieldMask: [...fields] }) : db.getAll(...refs)),
    query: (q) => q.get(),
    count: async (q) => Number((await q.get()).data().count),
    aggregate: async (q) => (await q.get()).data() as Record<string, unknown>,
  };
}

/**
 * A reader inside a Firestore transaction (its reads lock what they read).
 *
 * @example
 * ```ts
 * await db.runTransaction(async (t) => { const reader = transactionReader(t); ... });
 * ```
 */
export function transactionReader(t: Transaction): Reader {
  return {
    getAll: (refs, fields) => (refs.length === 0 ? Promise.resolve([]) : fields ? t.getAll(...refs, { fieldMask: [...fields] }) : t.getAll(...refs)),
    query: (q) => t.get(q),
    count: async (q) => Number((await t.get(q)).data().count),
    aggregate: async (q) => (await t.get(q)).data() as Record<string, unknown>,
  };
}
