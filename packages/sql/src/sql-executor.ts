import type { StatementLimits } from './statement-limits.js';

/**
 * One SQL statement ready to run: text with `$n` placeholders, its values,
 * and an optional stable name. Clients that support server-side prepared
 * statements (node-postgres) prepare a named statement once per connection
 * and reuse it; others ignore the name. A Kysely `CompiledQuery` fits.
 *
 * @example
 * ```ts
 * const stmt: SqlStatement = { sql: 'select 1 as one', parameters: [] };
 * ```
 */
export interface SqlStatement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
  /** Set for hot, repeated shapes; the same name always carries the same text. */
  readonly name?: string | undefined;
  /**
   * True for a SELECT. When it reaches `SqlExecutor.execute` (that is,
   * outside a transaction) an executor may retry it on a transient failure or
   * send it to a read replica. Never set on writes.
   */
  readonly readOnly?: boolean | undefined;
}

/**
 * What a statement returned. `rowCount` is the number of rows affected or
 * returned, when the client reports it.
 *
 * @example
 * ```ts
 * const { rows } = await executor.execute({ sql: 'select 1 as one', parameters: [] });
 * ```
 */
export interface SqlResult {
  readonly rows: Array<Record<string, unknown>>;
  readonly rowCount?: number | null | undefined;
}

/**
 * Runs statements on one dedicated connection (inside a transaction the SQL
 * driver issues BEGIN/COMMIT/SAVEPOINT through it).
 *
 * @example
 * ```ts
 * await executor.withConnection(async (conn: SqlConnection) => {
 *   await conn.execute({ sql: 'begin', parameters: [] });
 *   await conn.execute({ sql: 'update users set name = $1 where id = $2', parameters: ['Ada', id] });
 *   await conn.execute({ sql: 'commit', parameters: [] });
 * });
 * ```
 */
export interface SqlConnection {
  execute(statement: SqlStatement): Promise<SqlResult>;
  /** The connection's state is unknown (a ROLLBACK failed): do not reuse it. */
  markBroken?(): void;
}

/**
 * The seam between `@chatcore/sql` and a native client. `@chatcore/postgres`
 * implements it over a pg Pool (named prepared statements for hot shapes);
 * `@chatcore/pglite` over a single PGlite instance. Production concerns
 * (retries, circuit breaker, replicas) wrap an executor rather than the SQL
 * driver, so they see every statement.
 *
 * Errors are the client's own (with the PostgreSQL SQLSTATE in `code`); the SQL
 * driver maps them to chatcore's typed errors.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const executor: SqlExecutor = {
 *   execute: async (st) => pool.query(st.sql, [...st.parameters]),
 *   withConnection: async (fn) => {
 *     const client = await pool.connect();
 *     try { return await fn({ execute: (st) => client.query(st.sql, [...st.parameters]) }); } finally { client.release(); }
 *   },
 *   close: () => pool.end(),
 * };
 * const driver = sqlDriver({ name: 'postgres', executor });
 * ```
 */
export interface SqlExecutor {
  /**
   * Run one statement on any available connection. `signal` is the caller's:
   * an executor that queues statements must not send one whose signal fired
   * while it waited (its caller was already told it timed out or aborted).
   */
  execute(statement: SqlStatement, signal?: AbortSignal): Promise<SqlResult>;
  /**
   * Run `fn` with a connection reserved for it until the returned promise
   * settles (used for transactions). `fn`'s error is rethrown after the
   * connection is released; a connection that failed mid-way is discarded.
   * `signal` is the caller's (a transaction's): an executor that queues for
   * a connection must drop a waiter whose signal fires (reject with the
   * signal's reason, never call `fn`), so that a transaction given up while
   * it waited does not take the connection in its turn later.
   */
  withConnection<T>(fn: (connection: SqlConnection) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Open the client (idempotent). */
  connect?(): Promise<void>;
  /** Close the client and every connection (idempotent). */
  close(): Promise<void>;
  /** Extra health details (pool stats, breaker state...). */
  stats?(): Readonly<Record<string, unknown>>;
  /**
   * Statement size limits of this client where they are tighter than
   * PostgreSQL's (see `StatementLimits`); bulk writes split under them.
   */
  readonly limits?: Partial<StatementLimits> | undefined;
  /**
   * True when the client has one connection and serves one process
   * (PGlite): a reserved connection would stall every other statement, so
   * the migration lock is a process-local queue instead of an advisory lock.
   */
  readonly singleConnection?: boolean | undefined;
  /**
   * The most connections the client holds at once (the primary pool's
   * size), where it is bounded: `withConnection` callers beyond it wait for
   * one. Migrations read it to size their batch transactions.
   */
  readonly maxConnections?: number | undefined;
}
