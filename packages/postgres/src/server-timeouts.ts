import { TimeoutError } from '@chatcore/core';
import { durationOption as checkDuration } from '@chatcore/core/driver';
import { MAX_TIMER_MS } from '@chatcore/core/plugin';
import type pg from 'pg';
import type { PostgresConfig } from './postgres-config.js';

/**
 * A duration option in whole ms (0 disables a timeout): core's duration
 * rule, with the path named `postgres.<name>`, at most MAX_TIMER_MS (the
 * longest Node.js timer, and the largest PostgreSQL timeout setting).
 *
 * @example
 * ```ts
 * durationOption('5s', 'queryTimeout'); // 5000
 * ```
 */
export function durationOption(value: number | string | undefined, name: string): number | undefined {
  const ms = checkDuration(value, `postgres.${name}`, { max: MAX_TIMER_MS });
  return ms === undefined ? undefined : Math.ceil(ms);
}
const ms = durationOption;

/**
 * The server-side timeouts a connection is opened with (startup options,
 * so they cost no round trip): statement_timeout and lock_timeout from
 * `queryTimeout` unless set on their own, and idle_in_transaction_session_timeout
 * (default 60 s) so that a transaction abandoned by a crashed caller cannot
 * hold its locks and its connection forever. Server-side timeouts cancel the
 * statement where it runs, so the connection comes back usable.
 *
 * @example
 * ```ts
 * serverTimeouts({ queryTimeout: 5000 }); // { statement_timeout: 5000, lock_timeout: 5000, idle_in_transaction_session_timeout: 60000 }
 * ```
 */
export function serverTimeouts(config: PostgresConfig): Pick<pg.PoolConfig, 'statement_timeout' | 'lock_timeout' | 'idle_in_transaction_session_timeout'> {
  const query = ms(config.queryTimeout, 'queryTimeout');
  const statement = ms(config.statementTimeout, 'statementTimeout') ?? query;
  const lock = ms(config.lockTimeout, 'lockTimeout') ?? query;
  const idle = ms(config.idleInTransactionTimeout, 'idleInTransactionTimeout') ?? 60_000;
  const out: Pick<pg.PoolConfig, 'statement_timeout' | 'lock_timeout' | 'idle_in_transaction_session_timeout'> = {};
  if (statement) out.statement_timeout = statement;
  if (lock) out.lock_timeout = lock;
  if (idle) out.idle_in_transaction_session_timeout = idle;
  return out;
}

/**
 * A lock wait cancelled by lock_timeout (SQLSTATE 55P03) as a TimeoutError
 * (the SQL driver would report it as a generic DriverError); any other error
 * comes back unchanged.
 *
 * @example
 * ```ts
 * client.query(q).catch((err) => { throw lockTimeoutAsTimeout(err); });
 * ```
 */
export function lockTimeoutAsTimeout(err: unknown): unknown {
  if ((err as { code?: unknown } | null)?.code !== '55P03') return err;
  const cause = new Error(String((err as Error).message ?? 'lock timeout').slice(0, 200));
  (cause as NodeJS.ErrnoException).code = '55P03';
  return new TimeoutError('The statement waited longer than lock_timeout for a lock held by another transaction, and the database cancelled it; nothing was changed. Retry later, or keep transactions that hold locks short.', { cause, info: { sqlState: '55P03' } });
}
