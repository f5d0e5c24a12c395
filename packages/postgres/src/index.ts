export { postgres } from './postgres-driver.js';
export type { PostgresConfig, PostgresSsl } from './postgres-config.js';
export { createPool } from './create-pool.js';
export { PoolExecutor, type PoolLike } from './pool-executor.js';
export { postgresConfigFrom } from './backend-registration.js';
