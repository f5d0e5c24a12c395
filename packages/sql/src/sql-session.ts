import { AbortedError, TransactionError } from '@chatcore/core';
import { type AggregateRow, type Condition, type DriverCallOptions, type NormalizedAggregate, type DriverSession, type NormalizedPatch, type NormalizedQuery, type RepositorySchema, type RowStatement, type StoredRow, type TransactionOptions, type UpsertSpec, type WriteTarget } from '@chatcore/core/driver';
import type { SqlConnection, SqlResult, SqlStatement } from './sql-executor.js';
import { planOf, type SchemaPlan } from './schema-plan.js';
import { mapSqlError } from './sql-errors.js';
import { countStatement, getByIdsStatement, queryStatement } from './read-statements.js';
import { rowStatement, storedRows } from './row-statements.js';
import { lockStatement } from './lock-statement.js';
import { aggregateError, aggregateStatement, decodeAggregate } from './aggregate-statements.js';
import type { StatementLimits } from './statement-limits.js';
import { CREATED_ALIAS, deleteStatement, insertStatements, updateStatement, upsertStatement } from './write-statements.js';
import { incrementOverflowError, overflowCandidates, overflowingFields, type IncrementOverflow } from './increment-overflow.js';

/**
 * Runs one statement somewhere (the pool, or a transaction's connection).
 *
 * @example
 * ```ts
 * const run: StatementRunner = (st) => executor.execute(st);
 * ```
 */
export type StatementRunner = (statement: SqlStatement, signal?: AbortSignal) => Promise<SqlResult>;

/** What a transaction's sessions share: whether a statement failed since the last savepoint. */
interface TxState {
  failed: boolean;
  savepoints: number;
}

/**
 * The data operations of the SQL driver over one statement runner. The root
 * driver runs on the executor; a transaction handle runs on the transaction's
 * connection and turns nested transactions into savepoints.
 *
 * @example
 * ```ts
 * const rows = await session.getByIds(schema, [id], {});
 * ```
 */
export abstract class SqlSessionBase implements DriverSession {
  /**
   * Set when this session's transaction (or savepoint) has ended. Its
   * connection may then be back in the pool, serving someone else's
   * transaction (or, on PGlite, be the only connection): a statement sent
   * on it would run in autocommit or inside another transaction.
   */
  protected ended = false;

  protected constructor(
    protected readonly run: StatementRunner,
    private readonly tx: TxState | undefined,
    protected readonly limits: StatementLimits,
  ) {}

  /**
   * Run a statement, mapping client errors to typed errors; inside a
   * transaction, remember a failure. A statement carrying increments
   * (`overflow`) that fails because one of them left its column type is
   * reported as memory reports it (see `overflowError`).
   */
  protected exec(plan: SchemaPlan | undefined, statement: SqlStatement, signal?: AbortSignal, overflow?: IncrementOverflow): Promise<SqlResult> {
    if (this.ended) return Promise.reject(endedError());
    if (signal?.aborted) return Promise.reject(new AbortedError({ cause: signal.reason }));
    // A promise chain rather than an async frame: this is on every call's path.
    return this.run(statement, signal).then(undefined, (err: unknown) => {
      if (this.tx) this.tx.failed = true;
      if (plan && overflow) {
        const candidates = overflowCandidates(err, plan, overflow.increment);
        if (candidates.length > 0) return this.overflowError(plan, candidates.map((f) => f.name), overflow, signal);
      }
      throw mapSqlError(err, plan);
    });
  }

  /**
   * The ValidationError of an increment past its column type (a field
   * without declared bounds compiles to a plain `col + $n`, and the database
   * raises 22003 without naming the column). One candidate is the field.
   * Of several (the version's increment is one), outside a transaction the
   * targeted rows are read once, on this failure path only, to name those
   * that overflow; inside one the transaction is aborted and cannot read,
   * so every candidate is named.
   */
  private async overflowError(plan: SchemaPlan, candidates: string[], overflow: IncrementOverflow, signal: AbortSignal | undefined): Promise<never> {
    if (candidates.length > 1 && !this.tx) {
      const fields = candidates.map((n) => plan.field(n));
      const read = queryStatement(plan, { where: overflow.where(), orderBy: [], select: ['id', ...candidates] });
      const rows = await this.exec(plan, read, signal).then((r) => plan.decodeRows(r.rows)).catch(() => []);
      const found = overflowingFields(plan, rows, overflow.increment, fields);
      if (found.length > 0) throw incrementOverflowError(plan, found);
    }
    throw incrementOverflowError(plan, candidates);
  }

  async insert(schema: RepositorySchema, rows: readonly StoredRow[], options: DriverCallOptions): Promise<void> {
    if (rows.length === 0) return;
    const plan = planOf(schema);
    const statements = insertStatements(plan, rows, this.limits);
    if (statements.length === 1) {
      await this.exec(plan, statements[0]!, options.signal);
      return;
    }
    // Several chunks: all or none; given up while waiting for a connection, never started.
    await this.transaction(async (tx) => {
      for (const st of statements) await (tx as SqlSessionBase).exec(plan, st, options.signal);
    }, { signal: options.signal });
  }

  async getByIds(schema: RepositorySchema, ids: readonly string[], options: DriverCallOptions): Promise<StoredRow[]> {
    if (ids.length === 0) return [];
    const plan = planOf(schema);
    const { rows } = await this.exec(plan, getByIdsStatement(plan, ids, options.select), options.signal);
    return plan.decodeRows(rows);
  }

  async query(schema: RepositorySchema, query: NormalizedQuery, options: DriverCallOptions): Promise<StoredRow[]> {
    if (query.limit === 0) return [];
    const plan = planOf(schema);
    const { rows } = await this.exec(plan, queryStatement(plan, query), options.signal);
    return plan.decodeRows(rows);
  }

  async selectRows(schema: RepositorySchema, statement: RowStatement, options: DriverCallOptions): Promise<StoredRow[]> {
    const plan = planOf(schema);
    const { rows } = await this.exec(plan, rowStatement(plan, statement), options.signal);
    return storedRows(plan, rows);
  }

  /** Lock these rows until the transaction ends (`for update`); the ids found. In autocommit the lock ends with the statement. */
  async lockRows(schema: RepositorySchema, ids: readonly string[], options: DriverCallOptions): Promise<string[]> {
    if (ids.length === 0) return [];
    const plan = planOf(schema);
    const { rows } = await this.exec(plan, lockStatement(plan, ids), options.signal);
    return rows.map((r) => r.id as string);
  }

  async count(schema: RepositorySchema, where: Condition | undefined, options: DriverCallOptions): Promise<number> {
    const plan = planOf(schema);
    const { rows } = await this.exec(plan, countStatement(plan, where), options.signal);
    return Number(rows[0]?.n ?? 0);
  }

  async aggregate(schema: RepositorySchema, agg: NormalizedAggregate, options: DriverCallOptions): Promise<AggregateRow[]> {
    const plan = planOf(schema);
    const { rows } = await this.exec(plan, aggregateStatement(plan, agg), options.signal).catch((e: unknown) => {
      throw aggregateError(plan, agg, e);
    });
    return decodeAggregate(plan, agg, rows);
  }

  async update(schema: RepositorySchema, target: WriteTarget, patch: NormalizedPatch, options: DriverCallOptions): Promise<StoredRow[]> {
    if (target.ids && target.ids.length === 0) return [];
    const plan = planOf(schema);
    const { rows } = await this.exec(plan, updateStatement(plan, target, patch), options.signal, { increment: patch.increment, where: () => targetCondition(target) });
    return plan.decodeRows(rows);
  }

  async delete(schema: RepositorySchema, target: WriteTarget, options: DriverCallOptions): Promise<string[]> {
    if (target.ids && target.ids.length === 0) return [];
    const plan = planOf(schema);
    const { rows } = await this.exec(plan, deleteStatement(plan, target), options.signal);
    return rows.map((r) => r.id as string);
  }

  async upsert(schema: RepositorySchema, row: StoredRow, spec: UpsertSpec, options: DriverCallOptions): Promise<{ row: StoredRow; created: boolean }> {
    const plan = planOf(schema);
    const conflict = spec.conflictFields.length ? spec.conflictFields : ['id'];
    const where = (): Condition => ({ kind: 'and', conditions: conflict.map((field) => ({ kind: 'cmp', field, op: 'eq', value: row[field] })) });
    const { rows } = await this.exec(plan, upsertStatement(plan, row, conflict, spec.patch), options.signal, { increment: spec.patch.increment, where });
    const out = plan.decodeRows(rows)[0]!;
    const created = out[CREATED_ALIAS] === true;
    delete out[CREATED_ALIAS];
    return { row: out, created };
  }

  abstract transaction<T>(fn: (tx: DriverSession) => Promise<T>, options: TransactionOptions): Promise<T>;

  /** Run `fn` in a fresh transaction on `connection` (BEGIN ... COMMIT / ROLLBACK). */
  protected static async runTransaction<T>(
    connection: SqlConnection, fn: (tx: DriverSession) => Promise<T>, options: TransactionOptions, limits: StatementLimits,
  ): Promise<T> {
    const state: TxState = { failed: false, savepoints: 0 };
    const session = new SqlTransactionSession((st) => connection.execute(st), state, limits);
    await session.exec(undefined, { sql: beginSql(options), parameters: [] }, options.signal);
    let result: T;
    try {
      if (options.timeoutMs !== undefined && Number.isFinite(options.timeoutMs) && options.timeoutMs > 0) {
        await session.exec(undefined, { sql: `set local statement_timeout = ${Math.ceil(options.timeoutMs)}`, parameters: [] });
      }
      result = await fn(session);
    } catch (err) {
      session.ended = true;
      // Never hand a connection back with a transaction still open on it.
      await connection.execute({ sql: 'rollback', parameters: [] }).catch(() => connection.markBroken?.());
      throw err;
    }
    session.ended = true;
    if (options.signal?.aborted) {
      // The caller already got a TimeoutError / AbortedError: committing now would acknowledge nothing and still write.
      await connection.execute({ sql: 'rollback', parameters: [] }).catch(() => connection.markBroken?.());
      throw options.signal.reason instanceof Error ? options.signal.reason : new AbortedError({ cause: options.signal.reason });
    }
    if (state.failed) {
      // PostgreSQL turns COMMIT of an aborted transaction into a silent ROLLBACK: say so instead.
      await connection.execute({ sql: 'rollback', parameters: [] }).catch(() => connection.markBroken?.());
      throw new TransactionError('A statement in this transaction failed (its error was caught inside the transaction function), so the database aborted the transaction and nothing was committed. Let the error propagate, or run the failing step in a nested transaction (a savepoint).');
    }
    await connection.execute({ sql: 'commit', parameters: [] }).catch((err: unknown) => {
      throw mapSqlError(err);
    });
    return result;
  }
}

/** The rows a write targets, as one condition (undefined: every row). */
function targetCondition(target: WriteTarget): Condition | undefined {
  const ids: Condition | undefined = target.ids ? { kind: 'in', field: 'id', values: target.ids, negate: false } : undefined;
  if (ids && target.where) return { kind: 'and', conditions: [ids, target.where] };
  return ids ?? target.where;
}

function endedError(): TransactionError {
  return new TransactionError(
    'This transaction session was used after its transaction (or savepoint) ended. A session works only inside the function ' +
      'passed to transaction(); run the work there, or on the driver after transaction() has returned.',
  );
}

const ISOLATION: Record<string, string> = {
  'read committed': ' isolation level read committed',
  'repeatable read': ' isolation level repeatable read',
  serializable: ' isolation level serializable',
};

function beginSql(options: TransactionOptions): string {
  return `begin${options.isolation ? ISOLATION[options.isolation] ?? '' : ''}${options.readOnly ? ' read only' : ''}`;
}

/**
 * The session of an open transaction: statements run on its connection;
 * `transaction()` opens a savepoint, rolled back alone when its function throws.
 *
 * @example
 * ```ts
 * await driver.transaction(async (tx) => {
 *   await tx.insert(schema, rows, {});
 *   // a savepoint: when its function throws, only its own writes are rolled back
 *   await tx.transaction(async (inner) => inner.delete(schema, { ids: [id] }, {}), {}).catch(() => undefined);
 * }, {});
 * ```
 */
export class SqlTransactionSession extends SqlSessionBase {
  constructor(run: StatementRunner, private readonly state: TxState, limits: StatementLimits) {
    super(run, state, limits);
  }

  async transaction<T>(fn: (tx: DriverSession) => Promise<T>, options: TransactionOptions): Promise<T> {
    const name = `cc_sp_${++this.state.savepoints}`;
    await this.exec(undefined, { sql: `savepoint ${name}`, parameters: [] }, options.signal);
    // The savepoint gets a session of its own, so that a leaked inner handle is refused once the savepoint ends.
    const inner = new SqlTransactionSession(this.run, this.state, this.limits);
    let result: T;
    try {
      result = await fn(inner);
    } catch (err) {
      inner.ended = true;
      try {
        await this.run({ sql: `rollback to savepoint ${name}`, parameters: [] });
        await this.run({ sql: `release savepoint ${name}`, parameters: [] });
        this.state.failed = false;
      } catch {
        this.state.failed = true;
      }
      throw err;
    }
    inner.ended = true;
    await this.exec(undefined, { sql: `release savepoint ${name}`, parameters: [] });
    return result;
  }
}
