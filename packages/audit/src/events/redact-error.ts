import { ChatcoreError, ValidationError } from '@chatcore/core';

/**
 * What an audit event says about an error: its stable code, its class and a
 * message chosen by the audit plugin (never the error's own message or cause,
 * which may quote input values).
 *
 * @example
 * ```ts
 * const e: RedactedError = { code: 'NOT_FOUND', class: 'NotFoundError', message: 'record not found' };
 * ```
 */
export interface RedactedError {
  code: string;
  class: string;
  message: string;
  /** Field paths named by a ValidationError (sanitized, capped). */
  paths?: string[];
  /** Field names of a unique violation. */
  fields?: string[];
  causeClass?: string;
}

const SAFE_MESSAGES: Readonly<Record<string, string>> = {
  VALIDATION: 'input did not match the repository schema',
  NOT_FOUND: 'record not found',
  CONFLICT: 'version conflict (optimistic locking)',
  UNIQUE_VIOLATION: 'unique constraint violated',
  FOREIGN_KEY: 'reference to another record violated',
  UNSUPPORTED_QUERY: 'query not supported by the backend or a plugin',
  CONNECTION: 'backend unreachable',
  TIMEOUT: 'operation timed out',
  ABORTED: 'aborted by the caller',
  SCHEMA_DRIFT: 'database schema differs from the repositories',
  CONFIG: 'configuration error',
  INTEGRITY: 'integrity check failed',
  KEY: 'key missing or unusable',
  TRANSACTION: 'transaction failed or misused',
  PARTIAL_WRITE: 'bulk write failed part way',
  PLUGIN: 'plugin failure',
  DRIVER: 'backend error',
};

const NAME_RE = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;
const CODE_RE = /^[A-Z0-9_]{2,40}$/;

/**
 * A field path from a caller (it may be an attack string): kept readable but
 * bounded, with anything unusual replaced by `?`.
 *
 * @example
 * ```ts
 * sanitizePath("name'; DROP TABLE users"); // 'name??DROP?TABLE?users'
 * ```
 */
export function sanitizePath(path: string): string {
  const cut = path.length > 64 ? path.slice(0, 64) : path;
  return cut.replace(/[^A-Za-z0-9_.[\]]/g, '?') + (path.length > 64 ? '…' : '');
}

function className(e: unknown): string {
  const name = e instanceof Error ? e.name : typeof e;
  return NAME_RE.test(name) ? name : 'Error';
}

/**
 * Reduce an error to what may be logged: the code, the class and a fixed
 * message per code. Messages and causes of the original error are dropped,
 * because they may contain values (a driver error quoting a row, a
 * validation message quoting input).
 *
 * @example
 * ```ts
 * try { await db.users.create({ name: 'Ada', email: 'ada@example.com' }); }
 * catch (err) { console.error({ error: redactError(err) }); }
 * ```
 */
export function redactError(error: unknown): RedactedError {
  if (error instanceof ChatcoreError) {
    const out: RedactedError = { code: error.code, class: className(error), message: SAFE_MESSAGES[error.code] ?? 'error' };
    if (error instanceof ValidationError) out.paths = error.issues.slice(0, 10).map((i) => sanitizePath(String(i.path)));
    const fields = error.info.fields;
    if (error.code === 'UNIQUE_VIOLATION' && Array.isArray(fields)) {
      out.fields = fields.filter((f): f is string => typeof f === 'string' && NAME_RE.test(f)).slice(0, 10);
    }
    if (error.cause !== undefined) out.causeClass = className(error.cause);
    return out;
  }
  const raw = (error as { code?: unknown } | null)?.code;
  const code = typeof raw === 'string' && CODE_RE.test(raw) ? raw : 'UNKNOWN';
  const out: RedactedError = { code, class: className(error), message: 'unexpected error (message withheld from the audit trail)' };
  if (error instanceof Error && error.cause !== undefined) out.causeClass = className(error.cause);
  return out;
}
