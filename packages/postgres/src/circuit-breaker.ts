import { ConnectionError } from '@chatcore/core';
import { ProbedBreaker, type ResolvedBreakerOptions } from '@chatcore/core/driver';
import { connectionFailure, countsAgainstServer, isSessionLoss } from './retry-policy.js';

/** While open, how often a fresh connection checks whether the server is back. */
const PROBE_INTERVAL_MS = 50;

/**
 * Opens a fresh connection to the server (outside the pool) and resolves
 * once it answered; rejects with the connection's error.
 *
 * @example
 * ```ts
 * const probe: ServerProbe = async () => {
 *   const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
 *   await client.connect();
 *   await client.end();
 * };
 * ```
 */
export type ServerProbe = () => Promise<void>;

/**
 * The circuit breaker over one PostgreSQL server (the primary, or one
 * replica): core's ProbedBreaker with PostgreSQL's evidence rules. Only
 * failures to open a new connection (refused, reset, timed out, TLS)
 * count; a full pool, the caller's own timeout or abort, and SQL errors
 * never do. A lost session (pg_terminate_backend, a restart's shutdown, a
 * reset socket) is checked with one fresh connection, shared by every
 * session lost at the same time: it counts once if that connection fails,
 * not at all otherwise. While open, calls fail at once with
 * ConnectionError, and a fresh connection probes the server every
 * PROBE_INTERVAL_MS: the first that succeeds closes the breaker.
 *
 * @example
 * ```ts
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const probe = async () => { const c = await pool.connect(); c.release(); };
 * const breaker = new ConnectionBreaker('primary', resolveBreakerOptions({ failures: 3 }), probe);
 * const rows = await breaker.run(() => pool.query('select 1'));
 * ```
 */
export class ConnectionBreaker extends ProbedBreaker {
  constructor(readonly target: string, options: ResolvedBreakerOptions, probe?: ServerProbe) {
    super({
      options,
      counts: countsAgainstServer,
      isSessionLoss,
      probe,
      probeEveryMs: PROBE_INTERVAL_MS,
      lossEvidence: (err) => connectionFailure(err, 'connect', target),
      openError: (cause, b) => {
        const probing = probe ? `The server is probed with a fresh connection every ${PROBE_INTERVAL_MS} ms and the breaker closes as soon as one succeeds` : `A call is let through as a probe every ${options.halfOpenAfterMs} ms`;
        return new ConnectionError(
          `The circuit breaker for ${target} is open after ${options.failures} consecutive failures to connect, so the call failed fast without contacting the server (nothing was sent). ` +
            `${probing}; check that the database is up and reachable.`,
          { cause, info: { breaker: b.state, target, phase: 'connect' } },
        );
      },
    });
  }
}
