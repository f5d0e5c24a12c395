/**
 * TLS settings. `true` verifies the server certificate against the system
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
      readonly key?: string | Buffer | undefined;
      readonly rejectUnauthorized?: boolean | undefined;
    };

/**
 * Connection settings of `postgres()`: a `url`, or host/port/database/user/
 * password (fields given next to a url override it). Durations in ms.
 *
 * @example
 * ```ts
 * postgres({ url: process.env.DATABASE_URL, poolSize: 20, statementTimeout: 5000, ssl: true });
 * ```
 */
export interface PostgresConfig {
  readonly url?: string | undefined;
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  readonly database?: string | undefined;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  /** Largest number of connections (default 10). */
  readonly poolSize?: number | undefined;
  readonly ssl?: PostgresSsl | undefined;
  /** Server-side statement_timeout in ms: longer statements fail with TimeoutError. */
  readonly statementTimeout?: number | undefined;
  /** How long to wait for a new connection, in ms (default 10000). */
  readonly connectTimeout?: number | undefined;
  /** Close connections idle for this long, in ms (default 30000). */
  readonly idleTimeout?: number | undefined;
  /** Shown in pg_stat_activity (default 'chatcore'). */
  readonly applicationName?: string | undefined;
}
