import type { RepositorySchema } from '../schema/repository-schema.js';
import type { Condition, NormalizedPatch, NormalizedQuery, WriteTarget } from '../query/condition.js';
import type { DriverCapabilities, IsolationLevel } from './capabilities.js';
import type { AggregateRow, NormalizedAggregate } from '../query/aggregate.js';
import type { MigrationBackend } from './migration-backend.js';

/**
 * A row as drivers store and return it: field names (not columns) to values.
 * Values are JS values of the field's storage type: string, number, bigint,
 * boolean, Date, Uint8Array, JSON values, arrays, or null. Every field of the
 * storage schema is present on rows passed to `insert` (absent optional
 * fields are null).
 *
 * @example
 * ```ts
 * const row: StoredRow = { id: '0190...', name: 'Ada', age: null, createdAt: new Date(), version: 1 };
 * ```
 */
export type StoredRow = Record<string, unknown>;

/**
 * Per-call options passed to drivers.
 *
 * @example
 * ```ts
 * const options: DriverCallOptions = { signal: AbortSignal.timeout(1000), timeoutMs: 1000, idempotent: true };
 * const found = await driver.getByIds(schema, [id], options);
 * ```
 */
export interface DriverCallOptions {
  /** Aborts when the caller's signal or the call timeout fires. */
  readonly signal?: AbortSignal | undefined;
  /** The call timeout in ms, when one applies (drivers may set it server-side). */
  readonly timeoutMs?: number | undefined;
  /** Fields to return (getByIds); always includes id. */
  readonly select?: readonly string[] | undefined;
  /** Whether the call may be retried on a transient failure (reads: yes; writes: only when safe). */
  readonly idempotent?: boolean | undefined;
}

/**
 * Options of a transaction.
 *
 * @example
 * ```ts
 * const options: TransactionOptions = { isolation: 'serializable', timeoutMs: 5000 };
 * await driver.transaction(async (tx) => tx.count(schema, undefined, {}), options);
 * ```
 */
export interface TransactionOptions {
  readonly isolation?: IsolationLevel | undefined;
  /** Aborts when the caller's signal or the transaction's timeout fires: from then on, nothing may commit. */
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
  /**
   * Never set by `db.transaction()`; for code that calls a driver directly.
   * SQL drivers send `begin ... read only`; Firestore runs a read-only
   * transaction (no locks). Writes inside are refused by the backend.
   */
  readonly readOnly?: boolean | undefined;
}

/**
 * Upsert conflict handling: on a conflict over `conflictFields` (default
 * `['id']`), apply `patch` to the existing row instead of inserting.
 *
 * @example
 * ```ts
 * const row: StoredRow = { id, name: 'Ada', email: 'ada@example.com', version: 1 };
 * const spec: UpsertSpec = { conflictFields: ['email'], patch: { set: { name: 'Ada' }, increment: { version: 1 } } };
 * const { created } = await driver.upsert(schema, row, spec, {});
 * ```
 */
export interface UpsertSpec {
  readonly conflictFields: readonly string[];
  readonly patch: NormalizedPatch;
}

/**
 * A read statement written by the caller (a compiled query builder, such as
 * a Kysely `selectFrom(...)` query's `compile()`), which `Repository.query`
 * sends through the plugins to `DriverSession.selectRows`. `query` is the
 * builder's syntax tree when it has one: the driver checks it (that it
 * selects from the repository's table and nothing but reads).
 *
 * @example
 * ```ts
 * const statement: RowStatement = { sql: 'select * from users where age >= $1', parameters: [18] };
 * const rows = await driver.selectRows?.(users.schema, statement, {}); // undefined when the driver has no written queries
 * ```
 */
export interface RowStatement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
  readonly query?: unknown;
}

/**
 * The data operations of a driver, available both on the driver and on a
 * transaction handle. A driver knows nothing of plugins: it receives
 * validated, normalized input and storage schemas.
 *
 * @example
 * ```ts
 * async function firstTen(session: DriverSession, schema: RepositorySchema, where: Condition) {
 *   return session.query(schema, { where, orderBy: [{ field: 'id', direction: 'asc' }], limit: 10 }, {});
 * }
 * ```
 */
export interface DriverSession {
  /** Insert rows; all or none where the backend can (see capabilities.maxAtomicBatch). Duplicate id / unique: UniqueViolationError. */
  insert(schema: RepositorySchema, rows: readonly StoredRow[], options: DriverCallOptions): Promise<void>;
  /** Rows with these ids, in any order; missing ids are simply absent. */
  getByIds(schema: RepositorySchema, ids: readonly string[], options: DriverCallOptions): Promise<StoredRow[]>;
  /** Rows matching the query, in its order. */
  query(schema: RepositorySchema, query: NormalizedQuery, options: DriverCallOptions): Promise<StoredRow[]>;
  /** Number of rows matching `where`. */
  count(schema: RepositorySchema, where: Condition | undefined, options: DriverCallOptions): Promise<number>;
  /** Groups and measures over the rows matching `agg.where`, in `agg.orderBy`, at most `agg.limit` (see NormalizedAggregate). */
  aggregate(schema: RepositorySchema, agg: NormalizedAggregate, options: DriverCallOptions): Promise<AggregateRow[]>;
  /** Apply `patch` to every targeted row; return the updated rows (all fields) as they are after the update. */
  update(schema: RepositorySchema, target: WriteTarget, patch: NormalizedPatch, options: DriverCallOptions): Promise<StoredRow[]>;
  /** Delete every targeted row; return the deleted ids. */
  delete(schema: RepositorySchema, target: WriteTarget, options: DriverCallOptions): Promise<string[]>;
  /** Insert `row`, or on a conflict apply `spec.patch` to the existing row. Atomic. */
  upsert(schema: RepositorySchema, row: StoredRow, spec: UpsertSpec, options: DriverCallOptions): Promise<{ row: StoredRow; created: boolean }>;
  /**
   * Optional (SQL drivers): run a caller-written statement that selects
   * whole rows of `schema`'s table and return them as stored rows (field
   * names, storage types). A statement over another table, or rows missing
   * a storage column, is a ValidationError; nothing is written.
   */
  selectRows?(schema: RepositorySchema, statement: RowStatement, options: DriverCallOptions): Promise<StoredRow[]>;
  /**
   * Optional (SQL drivers): lock the rows of `schema` with these ids as a
   * delete would, until the transaction ends, and return the ids found.
   * Core calls it on a transaction session, first thing in the delete of a
   * repository that `.references()` rules point to (with `foreignKeys`:
   * cascade or `set null` rules), before it reads the referencing records
   * or runs cascades: a write in another transaction that references one
   * of these rows (a FOREIGN KEY check locks the referenced row) then waits
   * for the delete and fails, instead of committing in between and being
   * deleted or cleared by the constraint's own ON DELETE, unseen by
   * plugins. SQL: `select ... for update`. Not needed where a transaction
   * runs alone (memory) or already locks what it reads (Firestore); without
   * it, core locks nothing.
   */
  lockRows?(schema: RepositorySchema, ids: readonly string[], options: DriverCallOptions): Promise<string[]>;
  /**
   * Run `fn` in a transaction (a savepoint when called on a transaction
   * handle, if capabilities.nestedTransactions). The driver may call `fn`
   * again on contention (Firestore); commit when it resolves, roll back when
   * it throws. When `options.signal` fired while `fn` ran, roll back and
   * raise AbortedError instead of committing: the caller was told it failed.
   */
  transaction<T>(fn: (tx: DriverSession) => Promise<T>, options: TransactionOptions): Promise<T>;
}

/**
 * Options of `Driver.ensureSchema`: `apply` creates what is missing, `verify`
 * only checks; `thorough` adds the checks that count stored records (slow on
 * large collections, so `connect()` never sets it).
 *
 * @example
 * ```ts
 * const options: EnsureSchemaOptions = { mode: 'verify', thorough: true };
 * await driver.ensureSchema([users.schema], options);
 * ```
 */
export interface EnsureSchemaOptions {
  readonly mode: 'apply' | 'verify';
  readonly thorough?: boolean | undefined;
}

/**
 * Result of ensureSchema: what was created or changed, or would be (verify).
 *
 * @example
 * ```ts
 * const report: SchemaReport = await driver.ensureSchema([users.schema], { mode: 'verify' });
 * report.applied; // what apply would create
 * ```
 */
export interface SchemaReport {
  readonly applied: readonly string[];
  /** Notes for the operator (e.g. Firestore composite index definitions). */
  readonly notes?: readonly string[] | undefined;
  /** Backend-specific artefacts, e.g. `{ firestoreIndexes: {...} }`. */
  readonly artifacts?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Health of one component (primary, a replica, the pool, a breaker...).
 *
 * @example
 * ```ts
 * const h: ComponentHealth = { name: 'primary', status: 'up', latencyMs: 1.2 };
 * ```
 */
export interface ComponentHealth {
  readonly name: string;
  readonly status: 'up' | 'degraded' | 'down';
  readonly latencyMs?: number | undefined;
  readonly details?: Readonly<Record<string, unknown>> | undefined;
  readonly error?: string | undefined;
}

/**
 * Health of a driver or plugin.
 *
 * @example
 * ```ts
 * const report: HealthReport = await db.health();
 * if (report.status !== 'up') console.warn(report.components.filter((c) => c.status !== 'up'));
 * ```
 */
export interface HealthReport {
  readonly status: 'up' | 'degraded' | 'down';
  readonly components: readonly ComponentHealth[];
}

/**
 * The driver contract: a small async interface that every backend implements
 * and proves with the conformance suite (`@chatcore/core/conformance`).
 *
 * @example
 * ```ts
 * const db = createDatabase({ driver: memoryDriver(), repositories: { users } });
 * ```
 */
export interface Driver extends DriverSession {
  readonly name: string;
  readonly capabilities: DriverCapabilities;
  /** Open connections. Idempotent. */
  connect(): Promise<void>;
  /**
   * Create what is missing (mode 'apply', under a lock where the backend has one) or only check (mode 'verify'). Never destructive.
   * `thorough` also runs the checks that count stored records (Firestore: documents that lack a declared field because
   * they were written before it existed); `chatcore schema plan|verify` set it, `connect()` does not.
   */
  ensureSchema(schemas: readonly RepositorySchema[], options: EnsureSchemaOptions): Promise<SchemaReport>;
  health(): Promise<HealthReport>;
  /** Versioned migrations (`@chatcore/migrate`): lock, history, non-additive schema changes. Absent where unsupported. */
  readonly migrations?: MigrationBackend | undefined;
  /** Close connections; idempotent. */
  close(): Promise<void>;
}
