import { checkOptionKeys, optionKeys, SecretValue } from '@chatcore/core/driver';
import type { PostgresConfig } from './postgres-config.js';
import { buildPostgresDriver } from './build-driver.js';
import type { PostgresDriver } from './postgres-sql-driver.js';

const POSTGRES_OPTION_KEYS = optionKeys<PostgresConfig>({
  url: true, host: true, port: true, database: true, user: true, password: true, poolSize: true, ssl: true,
  statementTimeout: true, connectTimeout: true, idleTimeout: true, applicationName: true, queryTimeout: true, lockTimeout: true,
  idleInTransactionTimeout: true, retry: true, breaker: true, replicaUrls: true, replicaPoolSize: true,
  readYourWritesWindow: true, readYourWritesScope: true,
});
const SSL_OPTION_KEYS = ['ca', 'cert', 'key', 'rejectUnauthorized'];

/** Members of the options that may hold a password (in a URL or on its own). */
const SECRET_OPTIONS = ['url', 'password', 'replicaUrls'];

/**
 * Make the options object given to `postgres()` (in place) print its URLs,
 * password and TLS client key as `[redacted]` (`util.inspect`,
 * `console.log`, `JSON.stringify`), as `encryption()` and `cache()` do with
 * theirs; reading the members is unchanged. An object that already prints
 * itself or is frozen is left as it is.
 */
function concealConfig(config: PostgresConfig): void {
  if (!config || typeof config !== 'object') return;
  try {
    const ssl = config.ssl;
    if (ssl && typeof ssl === 'object' && !Object.hasOwn(ssl, 'toJSON')) SecretValue.conceal(ssl, ['key']);
    if (!Object.hasOwn(config, 'toJSON')) SecretValue.conceal(config, SECRET_OPTIONS);
  } catch {
    // frozen or sealed: nothing to add
  }
}

/**
 * The PostgreSQL driver: a pg Pool, named prepared statements for every
 * repeated query shape, the SQL driver of `@chatcore/sql` on top. Retries,
 * a circuit breaker, read replicas, TLS and server-side timeouts come from
 * the config (docs/postgres.md). The options object given is made to print
 * `url`, `password`, `replicaUrls` and `ssl.key` as `[redacted]`.
 *
 * @example
 * ```ts
 * const db = createDatabase({
 *   driver: postgres({ url: process.env.DATABASE_URL, poolSize: 10, statementTimeout: '5s' }),
 *   repositories: { users, conversations, messages },
 * });
 * ```
 */
export function postgres(config: PostgresConfig): PostgresDriver {
  checkOptionKeys(config, 'postgres', POSTGRES_OPTION_KEYS);
  if (config?.ssl && typeof config.ssl === 'object') checkOptionKeys(config.ssl, 'postgres.ssl', SSL_OPTION_KEYS);
  concealConfig(config);
  return buildPostgresDriver(config);
}
