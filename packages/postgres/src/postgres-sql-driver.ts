import { inspect } from 'node:util';
import type { RetryPolicy } from 'cockatiel';
import { ConnectionError, UniqueViolationError, type HealthReport } from '@chatcore/core';
import {
  type AggregateRow, type BreakerState, type Condition, type DriverCallOptions, type DriverSession, type NormalizedAggregate, type NormalizedPatch, type NormalizedQuery, type RepositorySchema,
  type StoredRow, type TransactionOptions, type UpsertSpec, type WriteTarget,
} from '@chatcore/core/driver';
import { SqlDriver } from '@chatcore/sql';
import type { PoolTarget } from './pool-target.js';
import type { ResilientExecutor } from './resilient-executor.js';
import { driverHealth } from './health.js';
import { isRolledBackConflict, isTransientConnectionError, phaseOf } from './retry-policy.js';

/**
 * What `PostgresDriver` is built from (see `postgres()`, which assembles it).
 *
 * @example
 * ```ts
 * // postgres(config) assembles this; by hand, without replicas or retries of whole transactions:
 * const primary = new PoolTarget('primary', createPool(config), undefined);
 * const executor = new ResilientExecutor(new ReplicaRouter(primary, [], undefined), resolveRetryOptions({}));
 * const driver = new PostgresDriver({ executor, primary, replicas: [], healthTimeoutMs: 2000 });
 * ```
 */
export interface PostgresDriverParts {
  /** Routes reads, retries and guards every statement (see `ResilientExecutor`). */
  readonly executor: ResilientExecutor;
  readonly primary: PoolTarget;
  readonly replicas: readonly PoolTarget[];
  /** Whole-transaction retries and checked-insert retries; absent when retries are off. */
  readonly transactionRetry?: RetryPolicy | undefined;
  readonly insertRetry?: RetryPolicy | undefined;
  /** Bound on each health probe. */
  readonly healthTimeoutMs: number;
}

/** Insert attempts whose rows were checked absent after a lost connection: safe to send again. */
const verifiedAbsent = new WeakSet<object>();

/**
 * A transaction may run again when the server rolled it back (serialization
 * failure, deadlock) or its connection failed before COMMIT was sent (a
 * transaction that never got its COMMIT cannot have committed). A connection
 * lost during COMMIT leaves the outcome unknown and is never retried.
 *
 * @example
 * ```ts
 * retry(handleWhen(transactionRetryable), { ... });
 * ```
 */
export function transactionRetryable(err: Error): boolean {
  if (isRolledBackConflict(err)) return true;
  if (!isTransientConnectionError(err) || (err as ConnectionError).info?.breaker !== undefined) return false;
  const phase = phaseOf(err);
  return phase === 'connect' || phase === 'statement';
}

/**
 * Insert retries: only attempts whose rows were verified absent.
 *
 * @example
 * ```ts
 * retry(handleWhen(insertRetryable), { ... });
 * ```
 */
export function insertRetryable(err: Error): boolean {
  return verifiedAbsent.has(err);
}

/**
 * The PostgreSQL driver: the SQL driver of `@chatcore/sql` over the
 * resilient executor, plus what only the driver level knows:
 *
 * - which statements are idempotent reads (getByIds, query, count and
 *   aggregate, with `idempotent: true` from core), so the executor may send
 *   them to a replica, retry them, and cancel them when their caller gives up;
 * - whole-transaction retries (core runs a re-invoked function as a new attempt);
 * - checked inserts: after a lost connection, the rows are looked up by id
 *   on the primary; all present means the insert committed, none present
 *   means it may be sent again; anything else surfaces the ConnectionError;
 * - `breakerState()` and a per-component `health()`.
 *
 * @example
 * ```ts
 * const driver = postgres({ url: process.env.DATABASE_URL, replicaUrls: [process.env.DATABASE_REPLICA_URL!], readYourWritesWindow: '1s' });
 * driver.breakerState(); // 'closed'
 * ```
 */
export class PostgresDriver extends SqlDriver {
  private readonly parts: PostgresDriverParts;

  constructor(parts: PostgresDriverParts) {
    super({ name: 'postgres', executor: parts.executor });
    this.parts = parts;
  }

  /**
   * State of the primary's circuit breaker, or 'disabled'.
   *
   * @example
   * ```ts
   * if (driver.breakerState() === 'open') respond(503);
   * ```
   */
  breakerState(): BreakerState | 'disabled' {
    return this.parts.primary.breaker?.state ?? 'disabled';
  }

  override getByIds(schema: RepositorySchema, ids: readonly string[], options: DriverCallOptions): Promise<StoredRow[]> {
    return this.asRead(options, () => super.getByIds(schema, ids, options));
  }

  override query(schema: RepositorySchema, query: NormalizedQuery, options: DriverCallOptions): Promise<StoredRow[]> {
    return this.asRead(options, () => super.query(schema, query, options));
  }

  override count(schema: RepositorySchema, where: Condition | undefined, options: DriverCallOptions): Promise<number> {
    return this.asRead(options, () => super.count(schema, where, options));
  }

  override aggregate(schema: RepositorySchema, agg: NormalizedAggregate, options: DriverCallOptions): Promise<AggregateRow[]> {
    return this.asRead(options, () => super.aggregate(schema, agg, options));
  }

  /**
   * Run a read method with its statement flagged as a read (replica
   * routing, retries) when core marked the call idempotent. The statement
   * is issued synchronously inside `run`; the flag never outlives it.
   */
  private asRead<T>(options: DriverCallOptions, run: () => Promise<T>): Promise<T> {
    if (options.idempotent !== true) return this.asWrite(options, run);
    const executor = this.parts.executor;
    executor.markNextRead(false, options.signal);
    try {
      return run();
    } finally {
      executor.clearMark();
    }
  }

  /**
   * Run a write method with its caller's signal handed to the statement
   * (issued synchronously inside `run`): a write whose caller gave up before
   * it got a connection is never sent. Writes of several statements run in
   * a transaction, whose statements check the signal themselves.
   */
  private asWrite<T>(options: DriverCallOptions, run: () => Promise<T>): Promise<T> {
    if (!options.signal) return run();
    const executor = this.parts.executor;
    executor.markNextWrite(options.signal);
    try {
      return run();
    } finally {
      executor.clearMark();
    }
  }

  override update(schema: RepositorySchema, target: WriteTarget, patch: NormalizedPatch, options: DriverCallOptions): Promise<StoredRow[]> {
    return this.asWrite(options, () => super.update(schema, target, patch, options));
  }

  override delete(schema: RepositorySchema, target: WriteTarget, options: DriverCallOptions): Promise<string[]> {
    return this.asWrite(options, () => super.delete(schema, target, options));
  }

  override upsert(schema: RepositorySchema, row: StoredRow, spec: UpsertSpec, options: DriverCallOptions): Promise<{ row: StoredRow; created: boolean }> {
    return this.asWrite(options, () => super.upsert(schema, row, spec, options));
  }

  override transaction<T>(fn: (tx: DriverSession) => Promise<T>, options: TransactionOptions): Promise<T> {
    // A function that finishes after the signal fired is rolled back by the SQL driver, never committed.
    const policy = this.parts.transactionRetry;
    if (!policy) return super.transaction(fn, options);
    return policy.execute(() => super.transaction(fn, options), options.signal);
  }

  override insert(schema: RepositorySchema, rows: readonly StoredRow[], options: DriverCallOptions): Promise<void> {
    const policy = this.parts.insertRetry;
    if (!policy || rows.length === 0 || !rows.every((r) => typeof r.id === 'string')) return this.asWrite(options, () => super.insert(schema, rows, options));
    const ids = rows.map((r) => r.id as string);
    const attemptInsert = (attempt: number): Promise<void> =>
      this.asWrite(options, () => super.insert(schema, rows, options)).then(undefined, (err: unknown) => this.afterFailedInsert(err, attempt, schema, ids));
    // The first attempt runs outside cockatiel (no policy frames on success); a failure verified
    // harmless is replayed as the policy's attempt 0, so backoff and attempt count are cockatiel's.
    return attemptInsert(1).then(undefined, (err: unknown) => {
      if (!(err instanceof Error) || !insertRetryable(err) || options.signal?.aborted) throw err;
      return policy.execute(({ attempt }) => (attempt === 0 ? Promise.reject(err) : attemptInsert(attempt + 1)), options.signal);
    });
  }

  /**
   * Decide what a failed insert attempt means: success after all (the rows
   * are there), safe to send again (verified absent: the error is marked
   * for the retry policy), or an unknown outcome (ConnectionError that says so).
   */
  private async afterFailedInsert(err: unknown, attempt: number, schema: RepositorySchema, ids: readonly string[]): Promise<void> {
    // A duplicate id on a later attempt: the earlier attempt did commit after all.
    if (attempt > 1 && err instanceof UniqueViolationError && (await this.presence(schema, ids)) === 'all') return;
    // A failure to connect: the insert was never sent (the executor already retried it), so its outcome is known.
    const phase = phaseOf(err);
    if (!(err instanceof ConnectionError) || err.info.breaker !== undefined || phase === undefined || phase === 'connect') throw err;
    const found = await this.presence(schema, ids);
    if (found === 'all') return;
    if (found === 'none') {
      verifiedAbsent.add(err);
      throw err;
    }
    throw new ConnectionError(
      `${err.message} The rows could not be checked afterwards (${found}), so whether they were inserted is unknown: look them up by id before inserting again.`,
      { cause: err, info: { ...err.info, outcome: 'unknown', ids } },
    );
  }

  /** Whether the rows with these ids exist on the primary: 'all', 'none', 'some', or 'unknown' when the check itself failed. */
  private async presence(schema: RepositorySchema, ids: readonly string[]): Promise<'all' | 'none' | 'some' | 'unknown'> {
    const executor = this.parts.executor;
    try {
      executor.markNextRead(true);
      let pending: Promise<StoredRow[]>;
      try {
        pending = SqlDriver.prototype.getByIds.call(this, schema, ids, { select: ['id'] });
      } finally {
        executor.clearMark();
      }
      const found = await pending;
      if (found.length === ids.length) return 'all';
      return found.length === 0 ? 'none' : 'some';
    } catch {
      return 'unknown';
    }
  }

  override health(): Promise<HealthReport> {
    return driverHealth(this.parts.primary, this.parts.replicas, this.parts.healthTimeoutMs);
  }

  /** What printing the driver shows: its servers by name, never the pools' credentials. */
  toJSON(): { driver: string; servers: string[] } {
    return { driver: this.name, servers: [this.parts.primary.name, ...this.parts.replicas.map((r) => r.name)] };
  }

  [inspect.custom](): { driver: string; servers: string[] } {
    return this.toJSON();
  }
}
