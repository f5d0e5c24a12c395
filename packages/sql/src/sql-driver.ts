import { Kysely } from 'kysely';
import { FULL_CAPABILITIES, type Driver, type DriverCapabilities, type DriverSession, type RepositorySchema, type SchemaReport, type TransactionOptions } from '@chatcore/core/driver';
import { type AnyRepositoryDef, type HealthReport } from '@chatcore/core';
import type { SqlExecutor } from './sql-executor.js';
import { SqlSessionBase } from './sql-session.js';
import { mapSqlError } from './sql-errors.js';
import { ensureSchema } from './schema-manager.js';
import { SqlMigrationBackend } from './sql-migration-backend.js';
import { executorDialect } from './executor-dialect.js';
import { limitsOf } from './statement-limits.js';
import type { SqlTablesOf, StorageLayout } from './kysely-tables.js';

/** How long the health probe waits before reporting the backend degraded. */
const HEALTH_PROBE_MS = 2000;

/**
 * Options of `sqlDriver`.
 *
 * @example
 * ```ts
 * const options: SqlDriverOptions = { name: 'postgres', executor };
 * ```
 */
export interface SqlDriverOptions {
  /** Shown in health reports and errors, e.g. 'postgres' or 'pglite'. */
  readonly name: string;
  readonly executor: SqlExecutor;
  /** Override capabilities (everything is supported by default). */
  readonly capabilities?: Partial<DriverCapabilities>;
}

/**
 * The chatcore driver for any PostgreSQL-dialect database reached through a
 * `SqlExecutor`. Query shapes compile once (Kysely) and run as prepared
 * statements where the client has them; identifiers come only from storage
 * schemas; values are always parameters.
 *
 * @example
 * ```ts
 * const driver: SqlDriver = sqlDriver({ name: 'my-pg-compatible', executor });
 * const db = createDatabase({ driver, repositories: { users } });
 * const k = driver.kysely<{ users: typeof users }>(); // the escape hatch (bypasses every plugin)
 * ```
 */
export class SqlDriver extends SqlSessionBase implements Driver {
  readonly name: string;
  readonly capabilities: DriverCapabilities;
  readonly executor: SqlExecutor;
  /** Versioned migrations over the same executor (see `@chatcore/migrate`). */
  readonly migrations: SqlMigrationBackend;
  private escapeHatch: Kysely<any> | undefined;
  private closed = false;

  constructor(options: SqlDriverOptions) {
    super(options.executor.execute.bind(options.executor), undefined, limitsOf(options.executor));
    this.name = options.name;
    this.executor = options.executor;
    this.migrations = new SqlMigrationBackend(options.executor);
    this.capabilities = Object.freeze({ ...FULL_CAPABILITIES, foreignKeys: true, limitThrough: true, ...options.capabilities });
  }

  async connect(): Promise<void> {
    try {
      await this.executor.connect?.();
    } catch (err) {
      throw mapSqlError(err);
    }
  }

  transaction<T>(fn: (tx: DriverSession) => Promise<T>, options: TransactionOptions): Promise<T> {
    // What the caller's function throws comes back unchanged; only client errors are mapped.
    let fromCaller = false;
    const guarded = async (tx: DriverSession) => {
      try {
        return await fn(tx);
      } catch (err) {
        fromCaller = true;
        throw err;
      }
    };
    return this.executor.withConnection((conn) => SqlSessionBase.runTransaction(conn, guarded, options, this.limits), options.signal).catch((err: unknown) => {
      // The signal's own reason (a transaction rolled back because the caller gave up) is not a client error either.
      throw fromCaller || (options.signal?.aborted && err === options.signal.reason) ? err : mapSqlError(err);
    });
  }

  async ensureSchema(schemas: readonly RepositorySchema[], options: { readonly mode: 'apply' | 'verify' }): Promise<SchemaReport> {
    try {
      return await this.executor.withConnection((conn) => ensureSchema(conn, schemas, options.mode));
    } catch (err) {
      throw mapSqlError(err);
    }
  }

  async health(): Promise<HealthReport> {
    const started = performance.now();
    const details = this.executor.stats?.();
    const probe = this.executor.execute({ sql: 'select 1', parameters: [] }).then(() => 'up' as const);
    let timer: NodeJS.Timeout | undefined;
    // A probe stuck behind a long transaction (PGlite's one connection, a full pool) is an answer too: degraded.
    const slow = new Promise<'slow'>((resolve) => { timer = setTimeout(() => resolve('slow'), HEALTH_PROBE_MS); timer.unref?.(); });
    try {
      const outcome = await Promise.race([probe, slow]);
      const latencyMs = performance.now() - started;
      if (outcome === 'slow') {
        probe.catch(() => undefined);
        return { status: 'degraded', components: [{ name: this.name, status: 'degraded', latencyMs, details, error: `no answer within ${HEALTH_PROBE_MS} ms (busy connections?)` }] };
      }
      return { status: 'up', components: [{ name: this.name, status: 'up', latencyMs, details }] };
    } catch (err) {
      const error = mapSqlError(err).message;
      return { status: 'down', components: [{ name: this.name, status: 'down', latencyMs: performance.now() - started, details, error }] };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The typed Kysely instance over the same connections: an escape hatch for
   * queries chatcore does not express. It bypasses every plugin (no
   * validation, encryption, cache invalidation or audit) and the repository
   * layer's checks: sensitive columns hold ciphertext there.
   *
   * @example
   * ```ts
   * const k = driver.kysely<{ users: typeof users }>();
   * const n = await k.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
   * ```
   */
  kysely<R extends Readonly<Record<string, AnyRepositoryDef>>, L extends StorageLayout = 'encrypted'>(): Kysely<SqlTablesOf<R, L>> {
    this.escapeHatch ??= new Kysely<any>({ dialect: executorDialect(this.executor) });
    return this.escapeHatch as Kysely<SqlTablesOf<R, L>>;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.executor.close();
  }
}

/**
 * Create the SQL driver over an executor. Thin backend packages
 * (`@chatcore/postgres`, `@chatcore/pglite`) call this with their client.
 *
 * @example
 * ```ts
 * const driver = sqlDriver({ name: 'my-pg-compatible', executor, capabilities: { nestedTransactions: false } });
 * ```
 */
export function sqlDriver(options: SqlDriverOptions): SqlDriver {
  return new SqlDriver(options);
}
