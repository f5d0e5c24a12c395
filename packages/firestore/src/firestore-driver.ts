import { inspect } from 'node:util';
import { Firestore, type Settings } from '@google-cloud/firestore';
import { AbortedError, ChatcoreError, PartialWriteError, type ComponentHealth, type HealthReport } from '@chatcore/core';
import { FULL_CAPABILITIES, type AggregateRow, type BreakerState, type Condition, type NormalizedAggregate, type Driver, type DriverCallOptions, type DriverCapabilities, type NormalizedPatch, type NormalizedQuery, type RepositorySchema, type EnsureSchemaOptions, type SchemaReport, type StoredRow, type TransactionOptions, type UpsertSpec, type WriteTarget } from '@chatcore/core/driver';
import { resolveOptions, type FirestoreOptions, type ResolvedFirestoreOptions } from './firestore-options.js';
import { contentionError, GrpcStatus, grpcCode, mapError } from './error-map.js';
import { insertBatched, insertError } from './batch-insert.js';
import { FIRESTORE_LIMITS } from './query-limits.js';
import { countRows, matchingIds, readByIds, readQuery } from './query-runner.js';
import { aggregateQuery } from './aggregate-query.js';
import { directReader, type DriverContext, type Reader } from './reader.js';
import { TransactionSession } from './transaction-session.js';
import { ChunkOverBudget, nextChunkSize } from './chunk-budget.js';
import { uniqueKeys } from './unique-locks.js';
import { installDeadlines, withCallScope } from './sdk-deadlines.js';
import { installCommitRules } from './sdk-commits.js';
import { targetsEmulator } from './request-size.js';
import { callersOwnTimeout, FirestoreBreaker } from './firestore-breaker.js';
import { breakerHealth, overallStatus } from '@chatcore/core/driver';
import { FirestoreMigrationBackend } from './firestore-migrations.js';
import { ensureFirestoreSchema } from './firestore-schema.js';

const HEALTH_TIMEOUT_MS = 5000;
/** The longest a breaker probe waits for Firestore's answer. */
const PROBE_TIMEOUT_MS = 1000;
/**
 * grpc's reconnect backoff (its defaults: from 1 s up to 120 s): a backend
 * that comes back is used again within about half a second.
 */
const RECONNECT = { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 500 };

/**
 * The Firestore driver (see `firestore()`). Reads go straight to Firestore;
 * writes that must read first (update, delete, upsert) run in a Firestore
 * transaction per chunk of at most `maxBatchOps` documents and
 * `maxBatchBytes` of writes.
 *
 * @example
 * ```ts
 * const driver = new FirestoreDriver({ projectId: 'demo', emulatorHost: '127.0.0.1:8080' });
 * ```
 */
export class FirestoreDriver implements Driver {
  readonly name = 'firestore';
  readonly capabilities: DriverCapabilities;
  readonly options: ResolvedFirestoreOptions;
  private client: Firestore | undefined;
  private readonly ctx: DriverContext;
  private reader: Reader | undefined;
  private deadlines: { close(): void; readonly closing: AbortSignal } | undefined;
  private breakerOf: FirestoreBreaker | undefined;
  /** Versioned migrations (see `@chatcore/migrate`): history collection, lease lock, document rewrites. */
  readonly migrations: FirestoreMigrationBackend;

  constructor(options: FirestoreOptions) {
    this.options = resolveOptions(options);
    // Everything but nested transactions, isolation levels other than serializable and the filters below, within Firestore's limits.
    this.capabilities = Object.freeze({
      ...FULL_CAPABILITIES,
      nestedTransactions: false,
      isolationLevels: ['serializable'] as const,
      maxInList: FIRESTORE_LIMITS.maxIn,
      maxDisjunctions: FIRESTORE_LIMITS.maxDisjunctions,
      // No substring, case-insensitive, multi-value array-contains-all, negated array or distinct queries in Firestore.
      substring: false,
      insensitive: false,
      // A per-parent limit is one query per parent: core runs them, a bounded number at a time.
      limitPerGroup: false,
      arrayContainsAll: false,
      notArrayContains: false,
      distinct: false,
      // Native count / sum / average over the whole filter; no groups, no min or max.
      groupBy: false,
      aggregateMinMax: false,
      countField: false,
      maxAtomicBatch: this.options.maxBatchOps,
      // onDelete cascades and set null run in the delete's transaction: at most one commit's worth of documents.
      maxReferenceWrites: this.options.maxBatchOps,
    });
    this.migrations = new FirestoreMigrationBackend(() => this.firestore, { leaseMs: this.options.migrationLeaseMs, attempts: Math.max(10, this.options.maxTransactionAttempts) });
    const driver = this; // the client is created lazily, so the context reads it through the driver
    this.ctx = {
      get db() { return driver.firestore; },
      maxBatchOps: this.options.maxBatchOps,
      maxBatchBytes: this.options.maxBatchBytes,
      maxRequestBytes: this.options.maxRequestBytes,
      maxSortInMemory: this.options.maxSortInMemory,
      callTimeoutMs: this.options.callTimeoutMs,
      emulator: targetsEmulator(this.options),
      collection: (schema) => driver.firestore.collection(schema.table),
    };
  }

  /** The SDK client (created on first use), for what the driver does not cover. */
  get firestore(): Firestore {
    if (!this.client) {
      const o = this.options;
      const settings: Settings = { projectId: o.projectId, useBigInt: true, ...RECONNECT };
      if (o.databaseId) settings.databaseId = o.databaseId;
      if (o.credentials) settings.credentials = { ...o.credentials };
      if (o.keyFilename) settings.keyFilename = o.keyFilename;
      if (o.emulatorHost) Object.assign(settings, { host: o.emulatorHost, ssl: false });
      // The emulator takes no credentials (the SDK sends its own owner token). Naming the
      // universe spares the auth library its look-up of application default credentials,
      // which probes the GCE metadata server (a MetadataLookupWarning off Google Cloud).
      if (targetsEmulator(o)) Object.assign(settings, { universeDomain: 'googleapis.com' });
      this.client = newClient(settings, o.emulatorHost !== undefined);
      const client = this.client;
      const retry = o.retry || undefined;
      this.deadlines = installDeadlines(client, o.callTimeoutMs, retry);
      if (this.deadlines) installCommitRules(client, o.callTimeoutMs, retry, this.deadlines.closing);
      this.breakerOf?.dispose();
      // The probe asks once, without retries: its answer is what counts.
      const probeMs = Math.min(PROBE_TIMEOUT_MS, o.callTimeoutMs);
      this.breakerOf = o.breaker ? new FirestoreBreaker(o.breaker, () => probe(client, probeMs)) : undefined;
      this.reader = directReader(this.client);
    }
    return this.client;
  }

  private get direct(): Reader {
    void this.firestore; // creates the client, and its reader, on first use
    return this.reader!;
  }

  async connect(): Promise<void> {
    void this.firestore;
  }

  /** What printing the driver shows: project and database, never the SDK client and its credentials. */
  toJSON(): { driver: string; projectId: string; databaseId: string } {
    return { driver: this.name, projectId: this.options.projectId, databaseId: this.options.databaseId ?? '(default)' };
  }

  [inspect.custom](): { driver: string; projectId: string; databaseId: string } {
    return this.toJSON();
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    // Reads waiting to retry give up; the SDK waits for requests in flight, each bounded by its deadline.
    this.deadlines?.close();
    this.breakerOf?.dispose();
    if (c) await c.terminate();
  }

  /**
   * Firestore's answer to one read (bypassing the breaker, so the report
   * tells the truth while it is open), and the breaker's state: `down`
   * when Firestore does not answer; `degraded` when it answers but the
   * breaker is not closed yet (it closes at its next probe).
   */
  async health(): Promise<HealthReport> {
    const started = performance.now();
    const components: ComponentHealth[] = [];
    try {
      // A health check must answer quickly, whatever callTimeout is.
      await withCallScope({ timeoutMs: HEALTH_TIMEOUT_MS }, () => this.firestore.collection('chatcore_health').doc('ping').get());
      components.push({ name: 'firestore', status: 'up', latencyMs: performance.now() - started, details: { projectId: this.options.projectId } });
    } catch (error) {
      const mapped = mapError(error, 'health');
      components.push({ name: 'firestore', status: 'down', latencyMs: performance.now() - started, error: mapped.message });
    }
    const b = this.breakerOf;
    if (b) {
      const details: Record<string, unknown> = { failures: b.options.failures, halfOpenAfterMs: b.options.halfOpenAfterMs, timesOpened: b.opened };
      if (b.state !== 'closed') Object.assign(details, { reason: b.reason, openForMs: b.openForMs });
      components.push(breakerHealth('breaker', b.state, details));
    }
    return { status: overallStatus(components, ['firestore']), components };
  }

  /** The circuit breaker's state (`disabled` with `breaker: false`). */
  get breakerState(): BreakerState | 'disabled' {
    void this.firestore;
    return this.breakerOf?.state ?? 'disabled';
  }

  /**
   * See ensureFirestoreSchema: reports the indexes to deploy, refuses derived fields that older documents lack, and
   * with `thorough` any declared field that older documents lack.
   */
  ensureSchema(schemas: readonly RepositorySchema[], options: EnsureSchemaOptions): Promise<SchemaReport> {
    return this.bounded({}, () => ensureFirestoreSchema(this.firestore, schemas, { thorough: options.thorough === true }), 'the schema check');
  }

  getByIds(schema: RepositorySchema, ids: readonly string[], options: DriverCallOptions): Promise<StoredRow[]> {
    return this.guarded(options, () => readByIds(this.ctx, this.direct, schema, ids, options.select), `${schema.name}.getByIds`);
  }

  query(schema: RepositorySchema, query: NormalizedQuery, options: DriverCallOptions): Promise<StoredRow[]> {
    return this.guarded(options, () => readQuery(this.ctx, this.direct, schema, query, (ids) => readByIds(this.ctx, this.direct, schema, ids)), `${schema.name}.query`);
  }

  count(schema: RepositorySchema, where: Condition | undefined, options: DriverCallOptions): Promise<number> {
    return this.guarded(options, () => countRows(this.ctx, this.direct, schema, where, (ids) => readByIds(this.ctx, this.direct, schema, ids)), `${schema.name}.count`);
  }

  aggregate(schema: RepositorySchema, agg: NormalizedAggregate, options: DriverCallOptions): Promise<AggregateRow[]> {
    return this.bounded(options, () => aggregateQuery(this.ctx, this.direct, schema, agg, (ids) => readByIds(this.ctx, this.direct, schema, ids)), `${schema.name}.aggregate`);
  }

  insert(schema: RepositorySchema, rows: readonly StoredRow[], options: DriverCallOptions): Promise<void> {
    return this.guarded(options, () => insertBatched(this.ctx, schema, rows), `${schema.name}.insert`);
  }

  async update(schema: RepositorySchema, target: WriteTarget, patch: NormalizedPatch, options: DriverCallOptions): Promise<StoredRow[]> {
    return this.guarded(options, () => this.chunked(schema, target, options, (s, ids) => s.update(schema, { ids, where: target.where }, patch, options), (r) => r.id as string));
  }

  async delete(schema: RepositorySchema, target: WriteTarget, options: DriverCallOptions): Promise<string[]> {
    return this.guarded(options, () => this.chunked(schema, target, options, (s, ids) => s.delete(schema, { ids, where: target.where }, options), (id) => id));
  }

  upsert(schema: RepositorySchema, row: StoredRow, spec: UpsertSpec, options: DriverCallOptions): Promise<{ row: StoredRow; created: boolean }> {
    return this.guarded(options, () => this.run(schema, (s) => s.upsert(schema, row, spec, options), { signal: options.signal }));
  }

  transaction<T>(fn: (tx: TransactionSession) => Promise<T>, options: TransactionOptions): Promise<T> {
    return this.guarded(options, () => this.run(undefined, fn, options));
  }

  /**
   * Run `fn` in a Firestore transaction; the SDK calls it again on contention
   * (ABORTED). `flushed` learns the request bytes each attempt hands over
   * (the last call is the attempt that committed).
   */
  private async run<T>(schema: RepositorySchema | undefined, fn: (s: TransactionSession) => Promise<T>, options: TransactionOptions, budget?: number, flushed?: (bytes: number) => void): Promise<T> {
    try {
      return await this.firestore.runTransaction(async (t) => {
        // No new attempt once the caller gave up (typed errors are not retried by the SDK).
        const stop = aborted(options.signal);
        if (stop) throw stop;
        const session = new TransactionSession(this.ctx, t, budget);
        let result: T;
        try {
          result = await fn(session);
        } catch (error) {
          throw settled(error);
        } finally {
          session.end();
        }
        session.flush();
        flushed?.(session.flushedBytes);
        return result;
      }, { maxAttempts: this.options.maxTransactionAttempts, ...(options.readOnly ? { readOnly: true } : {}) });
    } catch (error) {
      if (error instanceof ChunkOverBudget) throw error;
      const what = schema ? `${schema.name} write` : 'transaction';
      if (schema && grpcCode(error) === GrpcStatus.ALREADY_EXISTS) throw insertError(error, schema, this.ctx.collection(schema));
      // A read-only transaction makes one attempt (the SDK does not retry it).
      if (grpcCode(error) === GrpcStatus.ABORTED) throw contentionError(error, what, options.readOnly ? 1 : this.options.maxTransactionAttempts);
      throw mapError(error, what);
    }
  }

  /**
   * Apply a by-id write to its targets in transactions of at most
   * `maxBatchOps` documents and `maxBatchBytes` of writes. A filter target
   * is first resolved to ids (one keys-only query), and each chunk re-checks
   * the filter on what it reads. A chunk whose writes turn out over
   * `maxBatchBytes` (sizes are known only once its documents are read) is
   * refused before anything is sent and run again with the documents that
   * fit; the rest follow at that size, growing back after each committed
   * chunk as far as its bytes say (see nextChunkSize).
   */
  private async chunked<R>(schema: RepositorySchema, target: WriteTarget, options: DriverCallOptions, apply: (s: TransactionSession, ids: string[]) => Promise<R[]>, idOf: (r: R) => string): Promise<R[]> {
    let ids = target.ids;
    if (!ids) {
      ids = await this.bounded(options, () => matchingIds(this.ctx, this.direct, schema, target.where), `${schema.name}.match`);
    }
    const full = Math.max(1, Math.floor(this.options.maxBatchOps / (1 + 2 * uniqueKeys(schema).length)));
    const budget = this.options.maxBatchBytes;
    let perChunk = full;
    const queue = [...ids];
    // Results are taken only from the attempt that committed: the SDK may run a chunk several times.
    const done: R[] = [];
    while (queue.length) {
      const chunk = queue.splice(0, perChunk);
      try {
        // A single document is bounded by the request limit only.
        let bytes = 0;
        done.push(...(await this.run(schema, (s) => apply(s, chunk), { signal: options.signal }, chunk.length > 1 ? budget : undefined, (n) => { bytes = n; })));
        perChunk = nextChunkSize({ size: perChunk, full, budget, ids: chunk.length, bytes });
      } catch (error) {
        if (error instanceof ChunkOverBudget) {
          const fitting = new Set(error.fitting);
          const fit = chunk.filter((id) => fitting.has(id));
          perChunk = Math.max(1, Math.min(fit.length, chunk.length - 1));
          queue.unshift(...chunk);
          continue;
        }
        if (done.length === 0) throw error;
        throw new PartialWriteError(schema.name, done.map(idOf), { cause: error });
      }
    }
    return done;
  }

  /**
   * A driver call as callers make it: through the breaker (an open one
   * fails it at once), then bounded as `bounded` does. A timeout counts
   * against Firestore only when callTimeout, not the caller's shorter
   * timeout, bounded the call.
   */
  private guarded<T>(options: DriverCallOptions | TransactionOptions, fn: () => Promise<T>, what?: string): Promise<T> {
    const b = this.breakerOf ?? (void this.firestore, this.breakerOf);
    if (!b) return this.bounded(options, fn, what);
    const callerDeadline = options.timeoutMs !== undefined && options.timeoutMs < this.options.callTimeoutMs;
    return b.run(() => this.bounded(options, fn, what), callerDeadline ? callersOwnTimeout : undefined);
  }

  /**
   * Bound a call by the caller's timeout and signal. Once the signal fired
   * the call fails with its reason; otherwise an error is mapped as `what`
   * (without `what` it was mapped where it arose). A PartialWriteError is
   * kept as it is: its writtenIds tell the caller what was committed.
   */
  private async bounded<T>(options: DriverCallOptions | TransactionOptions, fn: () => Promise<T>, what?: string): Promise<T> {
    try {
      return await withCallScope(options, fn);
    } catch (error) {
      if (error instanceof PartialWriteError) throw error;
      throw aborted(options.signal) ?? (what ? mapError(error, what) : error);
    }
  }
}

/**
 * One read without retries: resolves when Firestore answers at all. An
 * answer that is an error (PERMISSION_DENIED on the health collection,
 * say) still proves Firestore is reachable; only UNAVAILABLE, a deadline
 * or no status at all mean it is not.
 */
function probe(client: Firestore, timeoutMs: number): Promise<void> {
  return withCallScope({ timeoutMs, retries: 0 }, () => client.collection('chatcore_health').doc('ping').get()).then(() => undefined, (error: unknown) => {
    const code = grpcCode(error);
    if (code === undefined || code === GrpcStatus.UNAVAILABLE || code === GrpcStatus.DEADLINE_EXCEEDED) throw error;
  });
}

/**
 * The SDK lets FIRESTORE_EMULATOR_HOST override an explicit host; the
 * driver's explicit `emulatorHost` wins instead. The SDK reads the variable
 * only here, synchronously, so hiding it for the call is safe.
 */
function newClient(settings: Settings, explicitHost: boolean): Firestore {
  const env = process.env.FIRESTORE_EMULATOR_HOST;
  if (!explicitHost || env === undefined) return new Firestore(settings);
  delete process.env.FIRESTORE_EMULATOR_HOST;
  try {
    return new Firestore(settings);
  } finally {
    process.env.FIRESTORE_EMULATOR_HOST = env;
  }
}

/** The error for a call whose signal fired (core's timeout aborts with its TimeoutError). */
function aborted(signal: AbortSignal | undefined): Error | undefined {
  if (!signal?.aborted) return undefined;
  return signal.reason instanceof ChatcoreError ? signal.reason : new AbortedError({ cause: signal.reason });
}

/**
 * An error leaving a transaction attempt. The SDK re-runs the whole
 * transaction on UNAVAILABLE and DEADLINE_EXCEEDED as on contention; a
 * read that already retried until its deadline must end it instead, so
 * those become typed errors (which the SDK does not retry). ABORTED stays
 * as it is and is retried.
 */
function settled(error: unknown): unknown {
  const code = grpcCode(error);
  if (code === GrpcStatus.UNAVAILABLE || code === GrpcStatus.DEADLINE_EXCEEDED) return mapError(error, 'transaction read');
  return error;
}

/**
 * The Firestore driver over @google-cloud/firestore. Documents are keyed by
 * the record id in a collection named after the repository's table.
 *
 * @example
 * ```ts
 * const db = createDatabase({
 *   driver: firestore({ projectId: 'my-project', databaseId: 'chat' }),
 *   repositories: { users, conversations, messages },
 * });
 * await db.connect(); // ensureSchema lists the composite indexes to deploy
 * ```
 */
export function firestore(options: FirestoreOptions): FirestoreDriver {
  return new FirestoreDriver(options);
}
