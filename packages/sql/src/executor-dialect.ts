import {
  CompiledQuery, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler,
  type DatabaseConnection, type Dialect, type Driver as KyselyDriver, type QueryResult, type TransactionSettings,
} from 'kysely';
import type { SqlConnection, SqlExecutor } from './sql-executor.js';
import { mapSqlError } from './sql-errors.js';

class ExecutorConnection implements DatabaseConnection {
  constructor(readonly connection: SqlConnection, readonly release: () => void) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    let result;
    try {
      result = await this.connection.execute({ sql: compiledQuery.sql, parameters: compiledQuery.parameters });
    } catch (err) {
      // The same typed errors as repository calls (TimeoutError for 57014, UniqueViolationError, ...).
      throw mapSqlError(err);
    }
    const affected = result.rowCount;
    const kind = compiledQuery.query.kind;
    const isWrite = kind === 'InsertQueryNode' || kind === 'UpdateQueryNode' || kind === 'DeleteQueryNode' || kind === 'MergeQueryNode';
    return {
      rows: result.rows as R[],
      ...(isWrite && typeof affected === 'number' ? { numAffectedRows: BigInt(affected) } : {}),
    };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming is not supported through the chatcore escape hatch; page with limit/offset or keyset conditions.');
  }
}

class ExecutorKyselyDriver implements KyselyDriver {
  constructor(private readonly executor: SqlExecutor) {}
  async init(): Promise<void> {}

  acquireConnection(): Promise<DatabaseConnection> {
    return new Promise((resolve, reject) => {
      let handedOut = false;
      this.executor
        .withConnection((connection) => new Promise<void>((release) => {
          handedOut = true;
          resolve(new ExecutorConnection(connection, release));
        }))
        .catch((err: unknown) => { if (!handedOut) reject(mapSqlError(err)); });
    });
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const level = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    const mode = settings.accessMode ? ` ${settings.accessMode}` : '';
    await connection.executeQuery(CompiledQuery.raw(`begin${level}${mode}`));
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as ExecutorConnection).release();
  }
  /** The chatcore driver owns the executor: closing the escape hatch closes nothing. */
  async destroy(): Promise<void> {}
}

/**
 * A Kysely dialect that runs through a chatcore `SqlExecutor`, so that the
 * escape hatch shares the driver's pool (or PGlite's single connection and
 * its queue) instead of opening its own, and raises the same typed errors
 * as repository calls (`mapSqlError`). Used by `SqlDriver.kysely()`.
 *
 * @example
 * ```ts
 * const k = new Kysely<SqlTablesOf<{ users: typeof users }>>({ dialect: executorDialect(executor) });
 * await k.selectFrom('users').select(['id', 'created_at']).execute();
 * ```
 */
export function executorDialect(executor: SqlExecutor): Dialect {
  return {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new ExecutorKyselyDriver(executor),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  };
}
