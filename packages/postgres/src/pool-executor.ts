import type pg from 'pg';
import type { SqlConnection, SqlExecutor, SqlResult, SqlStatement } from '@chatcore/sql';
import { toPgQuery } from './pool-target.js';
import { abortReason, connectUnlessAborted } from './queued-checkouts.js';

/**
 * The pg calls the executor needs, so that a wrapper (retries, breaker,
 * replica routing) or a test double of the pool can stand in.
 *
 * @example
 * ```ts
 * const pool: PoolLike = createPool({ url: 'postgres://postgres@127.0.0.1/test' });
 * const executor = new PoolExecutor(pool);
 * ```
 */
export type PoolLike = Pick<pg.Pool, 'query' | 'connect' | 'end' | 'totalCount' | 'idleCount' | 'waitingCount'>;

/**
 * The `SqlExecutor` over a pg Pool. Lone statements go through
 * `pool.query`; transactions check a client out for their whole life. A
 * checked-out client gets an 'error' listener while it is out (a client
 * without one crashes the process when its socket fails between
 * statements), and is destroyed rather than reused when it failed.
 *
 * @example
 * ```ts
 * const executor = new PoolExecutor(createPool(config));
 * ```
 */
export class PoolExecutor implements SqlExecutor {
  private closed = false;
  /** Connection errors seen on checked-out clients. */
  private errors = 0;

  /** Private: a pg Pool's options hold the password, and nothing that walks the executor may reach them. */
  readonly #pool: PoolLike;

  constructor(pool: PoolLike) {
    this.#pool = pool;
  }

  async connect(): Promise<void> {
    const client = await this.#pool.connect();
    client.release();
  }

  /**
   * Run one statement on any pooled client. With the caller's `signal`, it
   * checks a client out itself: still waiting for one when the signal fires
   * (queued, or a new connection being opened), it fails at once; handed a
   * client after that, it is never sent (a write sent then would apply
   * after its caller was told it timed out).
   */
  execute(statement: SqlStatement, signal?: AbortSignal): Promise<SqlResult> {
    // pg's QueryResult already has the SqlResult shape: no wrapper on the hot path.
    if (!signal) return this.#pool.query(toPgQuery(statement)) as Promise<SqlResult>;
    return this.withConnection((connection) => connection.execute(statement), signal);
  }

  /**
   * Run `fn` (a transaction) on a checked-out client. A transaction whose
   * `signal` fires while it waits for a client (queued, or a new connection
   * being opened) fails at once and never starts.
   */
  async withConnection<T>(fn: (connection: SqlConnection) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw abortReason(signal);
    const client = await new Promise<pg.PoolClient>((resolve, reject) => connectUnlessAborted(this.#pool, signal, (err, c) => {
      if (err || !c) reject(err);
      else if (signal?.aborted) {
        c.release();
        reject(abortReason(signal));
      } else resolve(c);
    }));
    let broken: Error | undefined;
    const onError = (err: Error) => {
      broken = err;
      this.errors++;
    };
    client.on('error', onError);
    const connection: SqlConnection = {
      execute: (statement) => client.query(toPgQuery(statement)) as Promise<SqlResult>,
      markBroken: () => { broken ??= new Error('connection state unknown after a failed rollback'); },
    };
    try {
      return await fn(connection);
    } catch (err) {
      if (isConnectionFailure(err)) broken ??= err as Error;
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  stats(): Readonly<Record<string, unknown>> {
    return { total: this.#pool.totalCount, idle: this.#pool.idleCount, waiting: this.#pool.waitingCount, connectionErrors: this.errors };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.#pool.end();
  }
}

/** Errors after which the connection's state is unknown: lost connections and timeouts, raw or mapped. */
function isConnectionFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return code === 'CONNECTION' || code === 'TIMEOUT' || code.startsWith('08') || code.startsWith('57P') || /^E[A-Z]+$/.test(code);
}
