/**
 * Typed errors with stable codes. Every error says what happened and what to
 * do about it; `cause` keeps the underlying error for logs.
 *
 * @example
 * ```ts
 * try {
 *   await db.users.update(id, { name: 'Ada L.' }, { expectedVersion: 3 });
 * } catch (e) {
 *   if (e instanceof ChatcoreError && e.code === 'CONFLICT') console.log('changed meanwhile: re-read it and apply the change again');
 * }
 * ```
 */
export type ErrorCode =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNIQUE_VIOLATION'
  | 'FOREIGN_KEY'
  | 'UNSUPPORTED_QUERY'
  | 'CONNECTION'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'SCHEMA_DRIFT'
  | 'CONFIG'
  | 'INTEGRITY'
  | 'KEY'
  | 'TRANSACTION'
  | 'PARTIAL_WRITE'
  | 'PLUGIN'
  | 'DRIVER'
  | 'MIGRATION';

/**
 * The last argument of every chatcore error constructor: the underlying error
 * and structured facts (field names, ids, SQL state, key id; never values).
 * Constructors take what the error is about first (a message, or the
 * repository and id), then these options.
 *
 * @example
 * ```ts
 * function unknownStatus(err: unknown): never {
 *   throw new DriverError('The backend answered with an unknown status.', { cause: err, info: { status: 7 } });
 * }
 * ```
 */
export interface ErrorOptions {
  readonly cause?: unknown;
  readonly info?: Readonly<Record<string, unknown>>;
}

/**
 * Base class of every chatcore error: a stable `code`, a message that says
 * what to do, optional structured `details`, and the `cause`.
 *
 * @example
 * ```ts
 * async function rename(userId: string, name: string) {
 *   try {
 *     return await db.users.update(userId, { name });
 *   } catch (err) {
 *     if (err instanceof ChatcoreError && err.code === 'NOT_FOUND') return null;
 *     throw err;
 *   }
 * }
 * ```
 */
export class ChatcoreError extends Error {
  readonly code: ErrorCode;
  /**
   * Structured facts about the failure (field names, ids, SQL state, key id;
   * never values). Named `info` rather than `details` so that test runners
   * which print `err.details` as text (uvu) can still report the error.
   */
  readonly info: Readonly<Record<string, unknown>>;
  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.info = options.info ?? {};
  }
}
