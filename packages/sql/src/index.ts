export type { SqlStatement, SqlResult, SqlConnection, SqlExecutor } from './sql-executor.js';
export { SqlDriver, sqlDriver, type SqlDriverOptions } from './sql-driver.js';
export { SqlTransactionSession } from './sql-session.js';
export { mapSqlError } from './sql-errors.js';
export { executorDialect } from './executor-dialect.js';
export { sqlTypeOf, udtNameOf } from './column-types.js';
export { SCHEMA_LOCK_KEY } from './schema-manager.js';
export { checkIdentifier } from './identifiers.js';
export type { SqlTablesOf, SqlRowOf, SnakeCase } from './kysely-tables.js';
