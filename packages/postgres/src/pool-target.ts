import type pg from 'pg';
import type { SqlResult, SqlStatement } from '@chatcore/sql';
import { ChatcoreError } from '@chatcore/core';
import type { ConnectionBreaker } from './circuit-breaker.js';
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
 * const primary = new PoolTarget('primary', createPool(config), breaker);
 * const { rows } = await primary.run({ text: 'select 1' });
 * ```
 */
export class PoolTarget {
  /** Connection errors seen on this server's connections (idle and checked out). */
  errors = 0;

  constructor(readonly name: string, readonly pool: pg.Pool, readonly breaker: ConnectionBreaker | undefined) {}

  /** Run one statement on any connection of this server, through its breaker. */
  run(query: pg.QueryConfig): Promise<SqlResult> {
    return this.breaker ? this.breaker.run(() => this.runOnce(query)) : this.runOnce(query);
  }

  /** Check a client out (through the breaker); failures are ConnectionErrors of phase 'connect'. */
  acquire(): Promise<pg.PoolClient> {
    return this.breaker ? this.breaker.run(() => this.connectOnce()) : this.connectOnce();
  }

  /** Pool counters for health and metrics. */
  stats(): { total: number; idle: number; waiting: number; max: number; connectionErrors: number } {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount, max: this.pool.options.max, connectionErrors: this.errors };
  }

  private connectOnce(): Promise<pg.PoolClient> {
    return this.pool.connect().then(undefined, (err: unknown) => {
      throw this.connectError(err);
    });
  }

  /** Every failure to open a connection is a ConnectionError: TLS ones name the TLS error, others say the statement was not sent. */
  connectError(err: unknown): Error {
    if (err instanceof ChatcoreError) return err;
    this.errors++;
    return explainTlsError(err) ?? connectionFailure(err, 'connect', this.name);
  }

  private runOnce(query: pg.QueryConfig): Promise<SqlResult> {
    return this.connectOnce().then((client) => new Promise<SqlResult>((resolve, reject) => {
      let settled = false;
      const onError = (err: Error) => {
        this.errors++;
        if (settled) return;
        settled = true;
        client.release(err);
        reject(connectionFailure(err, 'statement', this.name));
      };
      client.once('error', onError);
      client.query(query).then(
        (result) => {
          client.removeListener('error', onError);
          if (settled) return;
          settled = true;
          client.release();
          resolve(result as SqlResult);
        },
        (err: unknown) => {
          client.removeListener('error', onError);
          if (settled) return;
          settled = true;
          if (isRawConnectionFailure(err)) {
            this.errors++;
            client.release(err as Error);
            reject(connectionFailure(err, 'statement', this.name));
          } else {
            // An SQL error (with its SQLSTATE) is an answer from a live connection: it goes back
            // to the pool. Anything else leaves the connection's state unknown.
            const code = (err as { code?: unknown } | null)?.code;
            client.release(typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? undefined : (err as Error));
            reject(lockTimeoutAsTimeout(err));
          }
        },
      );
    }));
  }
}
