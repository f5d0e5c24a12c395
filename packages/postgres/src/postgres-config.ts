import type { BreakerOptions, RetryOptions, SecretValue } from '@chatcore/core/driver';
import type { ReadYourWritesScope } from './write-clock.js';

/**
 * A duration: milliseconds, or a string like `'500ms'`, `'5s'`, `'2m'`.
 *
 * @example
 * ```ts
 * const timeout: Duration = '5s';
 * ```
 */
export type Duration = number | string;

/**
 * TLS settings, the one TLS shape (YAML `ssl: true` or `ssl: { ca, cert, key, reject_unauthorized }`).
 * Absent: the URL decides (e.g. `?sslmode=verify-full`); `false`: no TLS. `true` verifies the server certificate against the system
 * CAs (and the host name); an object adds a CA bundle or a client
 * certificate. Set `rejectUnauthorized: false` only for local testing.
 *
 * @example
 * ```ts
 * const ssl: PostgresSsl = { ca: readFileSync('/etc/ssl/pg-ca.pem', 'utf8') };
 * ```
 */
export type PostgresSsl =
  | boolean
  | {
      readonly ca?: string | Buffer | undefined;
      readonly cert?: string | Buffer | undefined;
      /** Secret: give it as a SecretValue to keep it out of printed options. */
      readonly key?: string | Buffer | SecretValue<string | Buffer> | undefined;
      readonly rejectUnauthorized?: boolean | undefined;
    };

/**
 * Connection settings of `postgres()`: a `url`, or host/port/database/user/
 * password (fields given next to a url override it). Durations in ms.
 * `url`, `password`, `replicaUrls` and `ssl.key` also take a SecretValue,
 * so that printing or serializing the options shows `[redacted]`.
 *
 * @example
 * ```ts
 * postgres({ url: process.env.DATABASE_URL, poolSize: 20, statementTimeout: '5s', ssl: true });
 * ```
 */
export interface PostgresConfig {
  readonly url?: string | SecretValue | undefined;
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  readonly database?: string | undefined;
  readonly user?: string | undefined;
  readonly password?: string | SecretValue | undefined;
  /** Largest number of connections (default 10). */
  readonly poolSize?: number | undefined;
  readonly ssl?: PostgresSsl | undefined;
  /** Server-side statement_timeout: longer statements fail with TimeoutError. */
  readonly statementTimeout?: Duration | undefined;
  /** How long to wait for a new connection (default 10 s). */
  readonly connectTimeout?: Duration | undefined;
  /** Close connections idle for this long (default 30 s). */
  readonly idleTimeout?: Duration | undefined;
  /** Shown in pg_stat_activity (default 'chatcore'). */
  readonly applicationName?: string | undefined;
  /**
   * Per-query timeout (DatabaseConfig.queryTimeout): sets the server's
   * statement_timeout (unless `statementTimeout` is given) and lock_timeout
   * (unless `lockTimeout` is given). A query cancelled by it raises TimeoutError.
   */
  readonly queryTimeout?: Duration | undefined;
  /** Server-side lock_timeout: waiting longer for a row or table lock raises TimeoutError. */
  readonly lockTimeout?: Duration | undefined;
  /** Server-side idle_in_transaction_session_timeout (default 60 s; 0 disables it). */
  readonly idleInTransactionTimeout?: Duration | undefined;
  /** Retries of transient failures (see docs/postgres.md for what is retried); `false` turns them off. */
  readonly retry?: RetryOptions | false | undefined;
  /** Circuit breaker over connection failures; `false` turns it off. */
  readonly breaker?: BreakerOptions | false | undefined;
  /** Read replicas (postgres:// URLs): reads outside transactions go to them. */
  readonly replicaUrls?: ReadonlyArray<string | SecretValue> | undefined;
  /** Connections per replica pool (default: poolSize). */
  readonly replicaPoolSize?: number | undefined;
  /** After a write, the same caller reads from the primary for this long (default 0: off). */
  readonly readYourWritesWindow?: Duration | undefined;
  /** Whose writes `readYourWritesWindow` tracks: the `db.withContext` scope (default) or the actor. */
  readonly readYourWritesScope?: ReadYourWritesScope | undefined;
}
