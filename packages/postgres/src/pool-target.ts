import pg from 'pg';
import type { SqlResult, SqlStatement } from '@chatcore/sql';
import { ChatcoreError, TimeoutError } from '@chatcore/core';
import type { ConnectionBreaker } from './circuit-breaker.js';
import { closedError } from './closed-error.js';
import { abortOpeningConnections, abortReason, connectUnlessAborted, failQueuedCheckouts } from './queued-checkouts.js';
import { connectionFailure, isRawConnectionFailure } from './retry-policy.js';
import { explainTlsError } from './tls-options.js';
import { lockTimeoutAsTimeout } from './server-timeouts.js';

/**
 * The query shape node-postgres runs: named statements are parsed once per
 * connection and then only bound and executed.
 *
 * @example
 * ```ts
 * client.query(toPgQuery({ sql: 'select 1', parameters: [] }));
 * ```
 */
export function toPgQuery(statement: SqlStatement): pg.QueryConfig {
  return statement.name
    ? { name: statement.name, text: statement.sql, values: statement.parameters as unknown[] }
    : { text: statement.sql, values: statement.parameters as unknown[] };
}

/** What pg-pool says when a queued caller waited connectTimeout for a connection (a busy one, or one being opened). */
const POOL_WAIT_MESSAGE = 'timeout exceeded when trying to connect';

const earlyErrors = new WeakMap<pg.PoolClient, Error>();
const guards = new WeakMap<pg.PoolClient, (err: Error) => void>();

/**
 * Take over a client from `acquire()`: remove its checkout guard and return
 * an error it already reported (its connection is then unusable).
 *
 * @example
 * ```ts
 * const client = await target.acquire(); client.on('error', mine); const early = takeOver(client);
 * ```
 */
export function takeOver(client: pg.PoolClient): Error | undefined {
  const guard = guards.get(client);
  if (guard) client.removeListener('error', guard);
  guards.delete(client);
  const early = earlyErrors.get(client);
  earlyErrors.delete(client);
  return early;
}

/**
 * One server (the primary or a replica): its pg Pool, its breaker, and the
 * checkout / query / release cycle that tells a failure to connect (the
 * statement was never sent) from a failure while the statement ran. A
 * checked-out client carries an 'error' listener while it is out, so a
 * socket failing between messages can never crash the process; a client
 * whose connection failed is destroyed, not returned to the pool.
 *
 * @example
 * ```ts
 * const breaker = new ConnectionBreaker('primary', resolveBreakerOptions({}));
 * const primary = new PoolTarget('primary', createPool(config), breaker);
 * const { rows } = await primary.run({ text: 'select 1 as one' });
 * ```
 */
export class PoolTarget {
  /** Connection errors seen on this server's connections (idle and checked out). */
  errors = 0;
  /** Calls that gave up waiting for a free connection of the full pool, and when the last one did. */
  poolTimeouts = 0;
  lastPoolTimeoutAt = 0;
  /**
   * The pg Pool: its options, and those of its clients, hold the password in
   * plain text. Private fields, like the probes' clients: nothing that walks
   * the target, the executor or the driver (console.dir, util.inspect without
   * custom inspection, spreading) reaches them.
   */
  readonly #pool: pg.Pool;
  /** Fresh connections of `checkServer` in progress, ended at dispose. */
  readonly #probes = new Set<pg.Client>();
  /** Connections handed out and not yet given back (the pool's own counts include those still connecting). */
  private checkedOut = 0;
  /** Set by `end()`: checkouts asked for, or handed over, from then on fail with `closedError`. */
  #ending = false;

  constructor(readonly name: string, pool: pg.Pool, readonly breaker: ConnectionBreaker | undefined) {
    this.#pool = pool;
    pool.on('acquire', () => { this.checkedOut++; });
    pool.on('release', () => { this.checkedOut--; });
  }

  /** The pool's size: the most connections it holds at once. */
  get size(): number {
    return this.#pool.options.max;
  }

  /** Run `select 1` on a pooled connection (health probes): it waits for a free connection like any statement. */
  ping(): Promise<unknown> {
    return this.#pool.query('select 1');
  }

  /**
   * End the pool (the driver is closing): calls waiting for a connection
   * fail at once with `closedError` (nothing was sent), later ones too,
   * whether they were queued or waiting on a connection still being opened
   * (which is aborted: a server that accepted TCP and never answered would
   * otherwise hold `close()` for connectTimeout); connections checked out
   * finish their work and close once given back.
   */
  end(): Promise<void> {
    this.#ending = true;
    failQueuedCheckouts(this.#pool, closedError(this.name));
    abortOpeningConnections(this.#pool, closedError(this.name));
    return this.#pool.end();
  }

  /**
   * Run one statement on any connection of this server, through its
   * breaker; a failure goes to `recover` (e.g. a retry), whose outcome is
   * the call's. While the breaker lets calls through directly, the breaker
   * and `recover` are reached from the statement's own callback: a
   * successful read costs one promise, not one per layer.
   *
   * A statement whose `signal` fired before it got a connection is never
   * sent. One whose signal fires while it runs is cancelled on the server
   * when `cancelOnAbort` is set (reads); writes are left to finish.
   */
  run(query: pg.QueryConfig, signal?: AbortSignal, recover?: (err: Error) => Promise<SqlResult>, cancelOnAbort = true): Promise<SqlResult> {
    const breaker = this.breaker;
    if (!breaker) return this.runOnce(query, signal, recover, cancelOnAbort);
    if (breaker.direct) {
      return this.runOnce(query, signal, (err) => {
        const counted = breaker.failed<SqlResult>(err);
        return recover ? counted.then(undefined, recover) : counted;
      }, cancelOnAbort);
    }
    const result = breaker.run(() => this.runOnce(query, signal, undefined, cancelOnAbort));
    return recover ? result.then(undefined, recover) : result;
  }

  /**
   * Whether this server accepts a new connection and answers `select 1` on
   * it, within `timeoutMs` (default: the connect timeout). Uses a fresh
   * connection outside the pool, so a full pool or an open breaker does not
   * hide the answer; failures are ConnectionErrors of phase 'connect'.
   */
  checkServer(timeoutMs = this.#pool.options.connectionTimeoutMillis || 10_000): Promise<void> {
    const client = new pg.Client(this.#pool.options);
    client.on('error', () => undefined);
    this.#probes.add(client);
    let timer: NodeJS.Timeout | undefined;
    const bounded = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
    });
    return Promise.race([client.connect().then(() => client.query('select 1')), bounded]).then(
      () => undefined,
      (err: unknown) => { throw explainTlsError(err) ?? connectionFailure(err, 'connect', this.name); },
    ).finally(() => {
      clearTimeout(timer);
      this.#probes.delete(client);
      void client.end().catch(() => undefined);
    });
  }

  /** Stop the breaker's probes and end the fresh connections still open (the driver is closing). */
  dispose(): void {
    this.breaker?.dispose();
    for (const client of this.#probes) void client.end().catch(() => undefined);
    this.#probes.clear();
  }

  /**
   * Ask the server to cancel what backend `pid` is running, over a new
   * connection (the pool may have none free: the statement to cancel may
   * hold its only one). The cancelled statement fails with 57014 and its
   * connection goes back to the pool healthy. The returned promise settles
   * once the request was sent or failed, and never rejects.
   */
  private cancelBackend(pid: number): Promise<void> {
    const canceller = new pg.Client(this.#pool.options);
    canceller.on('error', () => undefined);
    return canceller.connect()
      .then(() => canceller.query('select pg_cancel_backend($1)', [pid]))
      .then(() => undefined, () => undefined)
      .finally(() => { void canceller.end().catch(() => undefined); });
  }

  /**
   * Check a client out (through the breaker); failures are ConnectionErrors
   * of phase 'connect'. A checkout whose `signal` fires before it gets a
   * client (queued, or a new connection being opened) rejects at once with
   * the signal's reason; a client handed over after that goes straight back.
   */
  acquire(signal?: AbortSignal): Promise<pg.PoolClient> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return this.breaker ? this.breaker.run(() => this.connectOnce(signal)) : this.connectOnce(signal);
  }

  /** Pool counters for health and metrics. */
  stats(): { total: number; idle: number; waiting: number; max: number; connectionErrors: number; poolTimeouts: number } {
    return { total: this.#pool.totalCount, idle: this.#pool.idleCount, waiting: this.#pool.waitingCount, max: this.#pool.options.max, connectionErrors: this.errors, poolTimeouts: this.poolTimeouts };
  }

  /**
   * Check a client out with the callback form of pool.connect: the pool may
   * hand over a client synchronously while a FATAL message for it is still
   * being parsed, so the error listener must be attached in the same tick
   * (a promise would attach it one tick too late, and an 'error' event
   * without a listener crashes the process). Errors that arrive before the
   * caller takes over are kept in `earlyErrors`.
   */
  private connectOnce(signal: AbortSignal | undefined): Promise<pg.PoolClient> {
    return new Promise((resolve, reject) => {
      this.checkout((err, client, withdrawn) => {
        if (withdrawn) {
          reject(err);
          return;
        }
        if (err || !client) {
          reject(this.connectError(err));
          return;
        }
        if (signal?.aborted) {
          // Handed over in the tick the caller gave up: never used.
          client.release();
          reject(abortReason(signal));
          return;
        }
        const early = (e: Error) => {
          this.errors++;
          if (!earlyErrors.has(client)) earlyErrors.set(client, e);
        };
        client.on('error', early);
        guards.set(client, early);
        resolve(client);
      }, signal);
    });
  }

  /**
   * pool.connect, except that after `end()` a checkout fails with
   * `closedError`: one asked for never reaches the pool, and a connection
   * handed over (one that was still being opened) goes straight back.
   * Queued checkouts are failed by `end()` itself, and one whose `signal`
   * fires is released at once, queued or waiting on a new connection (see
   * connectUnlessAborted). A new connection that fails after its caller
   * left still counts against the server. The callback runs once, in the
   * tick the pool hands a client over.
   */
  private checkout(callback: (err: Error | undefined, client: pg.PoolClient | undefined, withdrawn?: true) => void, signal?: AbortSignal): void {
    if (this.#ending) {
      callback(closedError(this.name), undefined);
      return;
    }
    connectUnlessAborted(this.#pool, signal, (err, client, withdrawn) => {
      if (!this.#ending || withdrawn) callback(err, client, withdrawn);
      else {
        client?.release();
        callback(closedError(this.name), undefined);
      }
    }, (err) => this.abandonedConnectFailed(err));
  }

  /** A connection opened for a caller that gave up failed: evidence about the server all the same. */
  private abandonedConnectFailed(err: Error): void {
    if (this.#ending) return;
    const failure = this.connectError(err);
    void this.breaker?.failed(failure).catch(() => undefined);
  }

  /**
   * A failed checkout. A wait that ran out while every connection of the
   * pool was checked out is the pool TimeoutError (the server is fine;
   * nothing was sent). pg-pool reports the same timeout for a caller that
   * waited on a new connection the server did not accept in time: that one,
   * like every failure to open a connection, is a ConnectionError (TLS ones
   * name the TLS error; all say the statement was not sent).
   */
  connectError(err: unknown): Error {
    if (err instanceof ChatcoreError) return err;
    if (err instanceof Error && err.message === POOL_WAIT_MESSAGE && this.checkedOut >= this.#pool.options.max) return this.poolTimeout();
    this.errors++;
    return explainTlsError(err) ?? connectionFailure(err, 'connect', this.name);
  }

  private poolTimeout(): TimeoutError {
    this.poolTimeouts++;
    this.lastPoolTimeoutAt = Date.now();
    const max = this.#pool.options.max;
    const waiting = this.#pool.waitingCount;
    const waitedMs = this.#pool.options.connectionTimeoutMillis;
    return new TimeoutError(
      `The ${this.name} connection pool was full: all ${max} connections were busy and ${waiting} other callers were waiting, ` +
        `so this call gave up after waiting ${waitedMs} ms (connectTimeout) for a free connection; nothing was sent. ` +
        'Raise poolSize or connectTimeout, keep transactions and slow statements short, or send fewer calls at once.',
      { info: { reason: 'pool', target: this.name, poolSize: max, waiting, waitedMs, sent: false } },
    );
  }

  /**
   * One checkout / query / release cycle, in callbacks inside one promise:
   * the error listener is attached in the tick the pool hands the client
   * over, and no promise is created per step (this is every read's path).
   */
  private runOnce(query: pg.QueryConfig, signal: AbortSignal | undefined, onFailure: ((err: Error) => Promise<SqlResult>) | undefined, cancelOnAbort: boolean): Promise<SqlResult> {
    return new Promise<SqlResult>((resolve, rejectNow) => this.checkout((connectErr, client, withdrawn) => {
      const reject = onFailure ? (err: Error) => resolve(onFailure(err)) : rejectNow;
      if (withdrawn) {
        // The caller gave up while this statement waited for a connection (queued, or being opened).
        rejectNow(connectErr!);
        return;
      }
      if (connectErr || !client) {
        reject(this.connectError(connectErr));
        return;
      }
      if (signal?.aborted) {
        // The caller gave up while this statement waited for a connection or a retry: it is never
        // sent (a write sent now would be applied after its caller was told it timed out), and the
        // give-up is neither a failure of the server nor worth a retry.
        client.release();
        rejectNow(abortReason(signal));
        return;
      }
      let settled = false;
      // A cancel sent for this statement, and a connection failure seen while it was on its way.
      let cancelling: Promise<void> | undefined;
      let lateError: Error | undefined;
      const onError = (err: Error) => {
        this.errors++;
        if (settled) {
          lateError ??= err;
          return;
        }
        settled = true;
        client.removeListener('error', onError);
        client.release(err);
        reject(connectionFailure(err, 'statement', this.name));
      };
      client.on('error', onError);
      // A read whose caller gave up (timeout, abort) is cancelled on the server rather than left
      // running on a pooled connection until statement_timeout.
      const pid = (client as unknown as { processID?: number }).processID;
      const onAbort = cancelOnAbort && signal && pid ? () => { if (!settled) cancelling = this.cancelBackend(pid); } : undefined;
      if (onAbort) signal!.addEventListener('abort', onAbort, { once: true });
      // The callback form runs as soon as the server's ReadyForQuery is parsed: when a FATAL
      // message arrives in the same packet right after it, the result is already settled and
      // the error is not mistaken for this statement's outcome (a promise would settle a tick later).
      client.query(query, (err: Error | null, result: pg.QueryResult) => {
        if (onAbort) signal!.removeEventListener('abort', onAbort);
        if (settled) return;
        settled = true;
        // `discard`: the connection must not be reused; `failure`: what the caller gets.
        let discard: Error | undefined;
        let failure: Error | undefined;
        if (err && isRawConnectionFailure(err)) {
          this.errors++;
          discard = err;
          // pg refuses a client already known dead without writing anything to it: not sent, but the
          // loss of that one session, not evidence that the server is unreachable.
          failure = /not queryable/i.test(err.message) ? connectionFailure(err, 'connect', this.name, 'session') : connectionFailure(err, 'statement', this.name);
        } else if (err) {
          // An SQL error (with its SQLSTATE) is an answer from a live connection: it goes back
          // to the pool. Anything else leaves the connection's state unknown.
          const code = (err as { code?: unknown }).code;
          if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) discard = err;
          failure = lockTimeoutAsTimeout(err) as Error;
        }
        if (cancelling && !discard) {
          // The statement ended while its cancel was on its way: the connection goes back only
          // once the cancel has landed, or it could cancel the next caller's statement.
          void cancelling.then(() => {
            client.removeListener('error', onError);
            client.release(lateError);
          });
        } else {
          client.removeListener('error', onError);
          client.release(discard);
        }
        if (failure) reject(failure);
        else resolve(result as unknown as SqlResult);
      });
    }, signal));
  }
}
