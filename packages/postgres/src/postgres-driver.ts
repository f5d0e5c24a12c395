import { sqlDriver, type SqlDriver } from '@chatcore/sql';
import type { PostgresConfig } from './postgres-config.js';
import { createPool } from './create-pool.js';
import { PoolExecutor } from './pool-executor.js';

/**
 * The PostgreSQL driver: a pg Pool, named prepared statements for every
 * repeated query shape, the SQL driver of `@chatcore/sql` on top.
 *
 * @example
 * ```ts
 * const db = createDatabase({
 *   driver: postgres({ url: process.env.DATABASE_URL, poolSize: 10, statementTimeout: 5000 }),
 *   repositories: { users, conversations, messages },
 * });
 * ```
 */
export function postgres(config: PostgresConfig): SqlDriver {
  let executor: PoolExecutor | undefined;
  const pool = createPool(config, () => executor?.noteError());
  executor = new PoolExecutor(pool);
  return sqlDriver({ name: 'postgres', executor });
}
