import type { PostgresConfig } from './postgres-config.js';
import { buildPostgresDriver } from './build-driver.js';
import type { PostgresDriver } from './postgres-sql-driver.js';

/**
 * The PostgreSQL driver: a pg Pool, named prepared statements for every
 * repeated query shape, the SQL driver of `@chatcore/sql` on top. Retries,
 * a circuit breaker, read replicas, TLS and server-side timeouts come from
 * the config (docs/postgres.md).
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
  return buildPostgresDriver(config);
}
