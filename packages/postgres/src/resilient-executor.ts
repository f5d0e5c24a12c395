import type { RetryPolicy } from 'cockatiel';
import { ConnectionError } from '@chatcore/core';
import { type ResolvedRetryOptions } from '@chatcore/core/driver';
import type { SqlConnection, SqlExecutor, SqlResult, SqlStatement } from '@chatcore/sql';
import type { PoolTarget } from './pool-target.js';
import { takeOver, toPgQuery } from './pool-target.js';
import { lockTimeoutAsTimeout } from './server-timeouts.js';
import type { ReplicaRouter } from './replica-router.js';
import {
  connectionFailure, isRawConnectionFailure, isRolledBackConflict, isTransientConnectionError, phaseOf, retryPolicy,
} from './retry-policy.js';

/** A breaker that is open answers at once; only a replica's open breaker is worth a retry (on the primary). */
function openBreakerOf(err: unknown): string | undefined {
  return err instanceof ConnectionError && err.info.breaker !== undefined ? String(err.info.target) : undefined;
}

/** Reads: any transient failure, and a replica refusing (the retry goes to the primary). */
function readRetryable(err: Error): boolean {
  const open = openBreakerOf(err);
  if (open !== undefined) return open !== 'primary';
  return isTransientConnectionError(err) || isRolledBackConflict(err);
}

/**
 * Autocommit writes: only when the statement provably did not take effect:
 * it was never sent (connect phase), or the server rolled it back
 * (serialization failure, deadlock).
 */
function writeRetryable(err: Error): boolean {
  if (openBreakerOf(err) !== undefined) return false;
  return (isTransientConnectionError(err) && phaseOf(err) === 'connect') || isRolledBackConflict(err);
}

/**
 * The production `SqlExecutor` of `@chatcore/postgres`: it wraps the pools
 * (never the SQL driver) so that it sees every statement.
 *
 * - Reads (statements the driver flags with `markNextRead()`, issued by
 *   getByIds/query/count/aggregate with `idempotent: true`) go to a replica when there
 *   are replicas, and are retried on any transient failure, on the primary.
 * - Every other statement goes to the primary and is retried only when it
 *   provably did not take effect: it was never sent, or the server reported
 *   a serialization failure or deadlock (the statement was rolled back).
 * - A statement carries its caller's signal (`markNextRead`, `markNextWrite`):
 *   one whose caller gave up before it got a connection is never sent.
 * - Transactions (`withConnection`) always run on the primary; the
 *   connection records whether COMMIT was sent, so that a lost connection
 *   tells the driver whether the transaction may have committed.
 * - Every server has its own circuit breaker (cockatiel), so that a dead
 *   server costs callers nothing but a fast ConnectionError.
 *
 * @example
 * ```ts
 * const router = new ReplicaRouter(new PoolTarget('primary', createPool(config), undefined), [], undefined);
 * const executor = new ResilientExecutor(router, resolveRetryOptions({ maxRetries: 5 }));
 * const driver = sqlDriver({ name: 'postgres', executor });
 * ```
 */
export class ResilientExecutor implements SqlExecutor {
  /** 0: not a read; 1: a read any server may answer; 2: a read the primary must answer. */
  private nextRead: 0 | 1 | 2 = 0;
  /** The caller's signal for the next statement (a read's or a write's). */
  private nextSignal: AbortSignal | undefined;
  private closed = false;
  private readonly reads: RetryPolicy;
  private readonly writes: RetryPolicy;

  constructor(readonly router: ReplicaRouter, retry: ResolvedRetryOptions) {
    this.reads = retryPolicy(retry, readRetryable);
    this.writes = retryPolicy(retry, writeRetryable);
  }

  /** The primary server. */
  get primary(): PoolTarget {
    return this.router.primary;
  }

  /** The primary pool's size (`poolSize`): transactions and the migration lock share it. */
  get maxConnections(): number {
    return this.router.primary.size;
  }

  /**
   * Flag the next statement as a read that may go to a replica and be
   * retried. The driver calls this right before a read method, whose
   * statement is issued synchronously; a flag left unused is cleared by
   * `clearMark()`, so a statement is never taken for a read by mistake.
   */
  markNextRead(primaryOnly = false, signal?: AbortSignal): void {
    this.nextRead = primaryOnly ? 2 : 1;
    this.nextSignal = signal;
  }

  /**
   * Give the next statement, a write, its caller's signal: if the signal
   * fires before the write gets a connection, the write is never sent.
   */
  markNextWrite(signal: AbortSignal | undefined): void {
    this.nextRead = 0;
    this.nextSignal = signal;
  }

  /** Clear an unused flag (the call returned before issuing a statement). */
  clearMark(): void {
    this.nextRead = 0;
    this.nextSignal = undefined;
  }

  async connect(): Promise<void> {
    const client = await this.writes.execute(() => this.primary.acquire());
    client.release(takeOver(client));
  }

  /**
   * Run one statement. The first attempt runs outside cockatiel; only when
   * it fails retryably does the retry policy take over, with the failure
   * replayed as its attempt 0 so that backoff, jitter and the attempt count
   * are cockatiel's (a success costs no policy frames).
   */
  execute(statement: SqlStatement): Promise<SqlResult> {
    const query = toPgQuery(statement);
    const read = this.nextRead;
    const signal = this.nextSignal;
    this.nextRead = 0;
    this.nextSignal = undefined;
    if (read !== 0) {
      const first = read === 1 ? this.router.readTarget() : this.primary;
      return first.run(query, signal, (err) => {
        if (!readRetryable(err) || signal?.aborted) return Promise.reject(err);
        return this.reads.execute(({ attempt }) => (attempt === 0 ? Promise.reject(err) : this.router.retryTarget().run(query, signal)), signal);
      });
    }
    // Writes are not cancelled when their caller gives up once sent: they finish or hit statement_timeout.
    return this.primary.run(query, signal, undefined, false).then(
      (result) => {
        this.router.noteWrite();
        return result;
      },
      (err: Error) => {
        if (!writeRetryable(err) || signal?.aborted) throw err;
        return this.writes.execute(({ attempt }) => (attempt === 0 ? Promise.reject(err) : this.primary.run(query, signal, undefined, false)), signal).then((result) => {
          this.router.noteWrite();
          return result;
        });
      },
    );
  }

  /**
   * Run `fn` (a transaction) on a primary connection. A transaction whose
   * `signal` fires while it waits for the connection (queued, or a new one
   * being opened) fails at once and never starts (nor takes a connection).
   */
  async withConnection<T>(fn: (connection: SqlConnection) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const client = await this.writes.execute(() => this.primary.acquire(signal), signal);
    const target = this.primary;
    let broken: Error | undefined;
    let committing = false;
    const onError = (err: Error) => {
      broken ??= err;
      target.errors++;
    };
    client.on('error', onError);
    const early = takeOver(client);
    if (early) {
      client.off('error', onError);
      client.release(early);
      // Nothing was sent; the one connection handed over was already dead (not evidence about the server).
      throw connectionFailure(early, 'connect', target.name, 'session');
    }
    const connection: SqlConnection = {
      execute: (statement) => {
        if (broken) return Promise.reject(connectionFailure(broken, committing ? 'commit' : 'statement', target.name));
        const isCommit = /^\s*(commit|end)\b/i.test(statement.sql);
        if (isCommit) committing = true;
        return (client.query(toPgQuery(statement)) as Promise<SqlResult>).then(undefined, (err: unknown) => {
          if (!isRawConnectionFailure(err)) throw lockTimeoutAsTimeout(err);
          broken ??= err as Error;
          throw connectionFailure(err, isCommit ? 'commit' : 'statement', target.name);
        });
      },
      markBroken: () => { broken ??= new Error('connection state unknown after a failed rollback'); },
    };
    try {
      const result = await fn(connection);
      this.router.noteWrite();
      return result;
    } catch (err) {
      if (phaseOf(err) !== undefined) broken ??= err as Error;
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  stats(): Readonly<Record<string, unknown>> {
    const p = this.primary.stats();
    return {
      ...p,
      breaker: this.primary.breaker?.state ?? 'disabled',
      replicas: this.router.replicas.map((r) => ({ name: r.name, ...r.stats(), breaker: r.breaker?.state ?? 'disabled' })),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const targets = [this.primary, ...this.router.replicas];
    for (const t of targets) t.dispose();
    await Promise.all(targets.map((t) => t.end()));
  }
}

