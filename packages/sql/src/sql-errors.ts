import { ChatcoreError, ConnectionError, DriverError, ForeignKeyError, TimeoutError, TransactionError, UniqueViolationError, ValidationError } from '@chatcore/core';
import { incrementIssue } from '@chatcore/core/driver';
import { referenceOfConstraint } from './foreign-keys.js';
import { uniqueOfConstraint, type SchemaPlan } from './schema-plan.js';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  '57P01', '57P02', '57P03', '53300',
]);
const CONNECTION_MESSAGES = /connection terminated|connection error|not queryable|timeout exceeded when trying to connect|server closed the connection|cannot use a pool after calling end|client was closed/i;
/** An embedded database (PGlite) refusing a statement because its owner closed it. */
const CLOSED_MESSAGES = /pglite is clos(ed|ing)/i;

/**
 * Prefix of the text an increment's range check casts to the column type
 * when the sum leaves the field's bounds; the field name, a colon and the
 * sum follow it (`Infinity` or `-Infinity` for a double that overflows).
 * The cast fails (SQLSTATE 22P02) and its message quotes the text, which
 * mapSqlError reads back into a ValidationError.
 *
 * @example
 * ```ts
 * sql.lit(`${OUT_OF_RANGE_MARKER}tokens:`); // 'chatcore-out-of-range:tokens:'
 * ```
 */
export const OUT_OF_RANGE_MARKER = 'chatcore-out-of-range:';
const OUT_OF_RANGE = new RegExp(`${OUT_OF_RANGE_MARKER}([A-Za-z_][A-Za-z0-9_]*):(-?(?:[0-9][0-9.e+-]*|Infinity))`);

/** The ValidationError of an increment refused by its range check, with the issue memory raises. */
function outOfRange(plan: SchemaPlan | undefined, field: string, sum: string): ValidationError {
  const meta = plan?.schema.fields[field];
  const integral = meta?.type === 'bigint' || (meta?.type === 'integer' && /^-?[0-9]+$/.test(sum));
  const issue = plan && meta ? incrementIssue(plan.schema, field, integral ? BigInt(sum) : Number(sum)) : undefined;
  return new ValidationError([issue ?? { path: `${field}.increment`, message: `the result leaves the range of ${plan?.schema.name ?? 'record'}.${field}` }], { context: 'patch' });
}

interface PgLikeError {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
  detail?: unknown;
}

/**
 * For a constraint chatcore did not create, the column names from the
 * detail line `Key (a, b)=(...)`; only the names are read, never the values.
 */
function fieldsFromDetail(err: unknown, plan: SchemaPlan | undefined): string[] {
  const detail = (err as PgLikeError).detail;
  const m = typeof detail === 'string' ? /^Key \(([^)]*)\)=/.exec(detail) : null;
  if (!m || !plan) return [];
  const columns = m[1]!.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
  return columns.map((c) => plan.fields.find((f) => f.column === c)?.name).filter((n): n is string => n !== undefined);
}

function sqlState(err: unknown): string | undefined {
  const code = (err as PgLikeError | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Strip what a database error may carry of row values (`detail` holds the
 * conflicting key, `where` and `internalQuery` parts of statements), keeping
 * what an operator needs: SQLSTATE, constraint, table, message.
 */
function sanitized(err: unknown): Error {
  if (!(err instanceof Error)) return new Error(String(err));
  const e = err as Error & Record<string, unknown>;
  const safe = new Error(e.message) as Error & Record<string, unknown>;
  safe.name = e.name;
  for (const k of ['code', 'constraint', 'table', 'column', 'schema', 'severity', 'routine', 'errno', 'syscall']) {
    if (e[k] !== undefined) safe[k] = e[k];
  }
  return safe;
}

/**
 * Map a client error to chatcore's typed errors: unique violations (23505)
 * name the fields of the violated constraint (never the values), foreign
 * key violations (23503) the reference (ForeignKeyError), lost or
 * refused connections become ConnectionError, statement timeouts (57014)
 * TimeoutError, serialization failures and deadlocks TransactionError with
 * the SQLSTATE in details (retry policies read it), an increment refused by
 * its range check (declared min/max, ±(2^53 - 1) for a wide integer)
 * ValidationError with the issue memory raises (`incrementIssue`);
 * anything else DriverError (an increment past the column type of a field
 * without bounds, 22003, is mapped by the session that knows the statement's
 * increments: see `overflowCandidates`).
 *
 * @example
 * ```ts
 * try {
 *   await executor.execute({ sql: 'insert into users (id, name) values ($1, $2)', parameters: [id, 'Ada'] });
 * } catch (e) {
 *   throw mapSqlError(e); // 23505: UniqueViolationError, 57014: TimeoutError, ...
 * }
 * ```
 */
export function mapSqlError(err: unknown, plan?: SchemaPlan): Error {
  if (err instanceof ChatcoreError) return err;
  const code = sqlState(err);
  const message = String((err as PgLikeError | null)?.message ?? err);
  if (code === '23505') {
    const constraint = (err as PgLikeError).constraint;
    // Without a plan (the Kysely escape hatch), the constraint's name still says which repository and fields.
    const known = plan ? undefined : uniqueOfConstraint(constraint);
    const fields = (typeof constraint === 'string' && plan?.constraintFields.get(constraint)) || known?.fields || fieldsFromDetail(err, plan);
    return new UniqueViolationError(plan?.schema.name ?? known?.repository ?? 'record', [...fields], { cause: sanitized(err) });
  }
  if (code === '23503') {
    // 'insert or update on table ...' names a missing target; 'update or delete on table ...' a restricted one.
    const reason = /^update or delete/i.test(message) ? 'restricted' : 'missing-target';
    const constraint = (err as PgLikeError).constraint;
    const ref = referenceOfConstraint(constraint) ?? { repository: plan?.schema.name ?? 'record', field: 'unknown', target: 'unknown', constraint: typeof constraint === 'string' ? constraint : undefined };
    return new ForeignKeyError(reason, ref, { cause: sanitized(err) });
  }
  if (code === '57014') {
    return new TimeoutError('The database cancelled the statement because it ran past its timeout (statement_timeout). Narrow the query or raise the timeout.', { cause: sanitized(err), info: { sqlState: code } });
  }
  if (CLOSED_MESSAGES.test(message)) {
    // The database was closed by its owner: no server to check, and nothing to retry on this one.
    return new ConnectionError(
      'The database was closed (close() was called) before this statement ran: it was not run, and a transaction it belonged to did not commit. Open a new database to continue.',
      { cause: sanitized(err), info: { sent: false, reason: 'closed' } },
    );
  }
  if ((code && (CONNECTION_CODES.has(code) || code.startsWith('08'))) || CONNECTION_MESSAGES.test(message)) {
    return new ConnectionError(`The database connection failed (${code ?? message}). Check that the server is up and reachable; the operation may be retried.`, { cause: sanitized(err), info: { sqlState: code } });
  }
  if (code === '40001' || code === '40P01') {
    return new TransactionError(`The transaction was aborted by the database (${code === '40001' ? 'serialization failure' : 'deadlock'}). Run the transaction again.`, { cause: sanitized(err), info: { sqlState: code, retryable: true } });
  }
  if (code === '25P02') {
    return new TransactionError('The transaction was already aborted by an earlier failed statement; roll it back (throw from the transaction function) and run it again.', { cause: sanitized(err), info: { sqlState: code } });
  }
  if (code === '22P02') {
    const m = OUT_OF_RANGE.exec(message);
    if (m) return outOfRange(plan, m[1]!, m[2]!);
  }
  if (code === '22003') {
    // An increment past its column type is mapped where the statement's increments are known (sql-session).
    return new DriverError('A value is out of the range of its column type; nothing was written. Keep values (filter values included) within the field\'s type, or declare wider bounds (f.integer({ max }) or f.bigint()).', { cause: undefined, info: { sqlState: code } });
  }
  // Data exceptions (22xxx) and constraint errors (23xxx) can quote the offending value: keep it out.
  const quotesValues = code !== undefined && (code.startsWith('22') || code.startsWith('23'));
  const text = quotesValues ? 'a value was rejected by a type or constraint check' : message.slice(0, 300);
  return new DriverError(`The database rejected the statement${code ? ` (SQLSTATE ${code})` : ''}: ${text}`, { cause: quotesValues ? undefined : sanitized(err), info: { sqlState: code, constraint: (err as PgLikeError).constraint } });
}
