// Errors about the data a call asked for or wrote: invalid input, missing
// records, conflicts, unique and reference violations, unsupported queries.
import { ChatcoreError, type ErrorCode, type ErrorOptions } from './base.js';

/**
 * One problem found while validating input: where, and what is wrong.
 *
 * @example
 * ```ts
 * const byPath = (issues: readonly ValidationIssue[]) => Object.fromEntries(issues.map((i) => [i.path, i.message]));
 * const toResponse = (err: unknown) => (err instanceof ValidationError ? { status: 400, errors: byPath(err.issues) } : { status: 500 });
 * ```
 */
export interface ValidationIssue {
  /** Dotted path into the input, e.g. `email` or `where.age.gt`. */
  readonly path: string;
  readonly message: string;
}

/** Contexts whose issues are checked against the repository schema (options, cursors and durations are not). */
const SCHEMA_CHECKED: ReadonlySet<string> = new Set(['input', 'patch', 'filter', 'query', 'aggregate', 'include', 'id']);
/** Contexts of reads: their message does not speak of writes. */
const READ_CONTEXTS: ReadonlySet<string> = new Set(['query', 'filter', 'cursor', 'include', 'aggregate']);

/**
 * Input that does not match the schema: unknown field, wrong type, value out of
 * range, malformed cursor, bad limit. Nothing was written.
 *
 * @example
 * ```ts
 * try {
 *   await db.users.create({ name: 'x'.repeat(500) }); // the schema says max: 200
 * } catch (e) {
 *   if (e instanceof ValidationError) console.log(e.issues); // [{ path: 'name', message: ... }]; nothing was written
 * }
 * ```
 */
export class ValidationError extends ChatcoreError {
  readonly issues: readonly ValidationIssue[];
  /**
   * `context` names what was refused (default `input`); `read`: the call
   * that refused it is a read, so the message says nothing of writes (as for
   * a query, filter, cursor, include or aggregate).
   */
  constructor(issues: readonly ValidationIssue[], options: ErrorOptions & { readonly context?: string; readonly read?: boolean } = {}) {
    const context = options.context ?? 'input';
    const head = issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`).join('; ');
    const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
    const read = options.read === true || READ_CONTEXTS.has(context);
    const fix = `Fix the ${context}${SCHEMA_CHECKED.has(context) ? ' to match the repository schema' : ''}${read ? '.' : '; nothing was written.'}`;
    super('VALIDATION', `Invalid ${context}: ${head}${more}. ${fix}`, {
      cause: options.cause,
      info: { ...options.info, issues },
    });
    this.issues = issues;
  }
}

/**
 * The record does not exist.
 *
 * @example
 * ```ts
 * await db.users.update('missing-id', { name: 'x' }); // throws NotFoundError
 * ```
 */
export class NotFoundError extends ChatcoreError {
  constructor(repository: string, id: string, options: ErrorOptions = {}) {
    super('NOT_FOUND', `No ${repository} record with id ${JSON.stringify(id)}. Check the id, or use get() which returns null.`, {
      cause: options.cause,
      info: { ...options.info, repository, id },
    });
  }
}

/**
 * Optimistic-locking conflict: the record changed since it was read.
 *
 * @example
 * ```ts
 * try {
 *   await db.users.update(id, { name: 'Ada L.' }, { expectedVersion: 3 });
 * } catch (e) {
 *   if (!(e instanceof ConflictError)) throw e;
 *   const fresh = await db.users.get(id); // re-read, then apply the change to `fresh` again
 * }
 * ```
 */
export class ConflictError extends ChatcoreError {
  constructor(repository: string, id: string, expectedVersion: number | undefined, actualVersion?: number, options: ErrorOptions = {}) {
    super(
      'CONFLICT',
      `The ${repository} record ${JSON.stringify(id)} was changed by someone else` +
        (expectedVersion === undefined ? '' : ` (expected version ${expectedVersion}${actualVersion === undefined ? '' : `, found ${actualVersion}`})`) +
        '. Re-read the record and apply your change again.',
      { cause: options.cause, info: { ...options.info, repository, id, expectedVersion, actualVersion } },
    );
  }
}

/**
 * A unique constraint (id or a `unique()` field) would be violated.
 *
 * @example
 * ```ts
 * try {
 *   await db.users.create({ name: 'Ada', handle: 'ada' });
 * } catch (e) {
 *   if (e instanceof UniqueViolationError) console.log(e.info.fields); // ['handle']
 * }
 * ```
 */
export class UniqueViolationError extends ChatcoreError {
  constructor(repository: string, fields: readonly string[], options: ErrorOptions = {}) {
    super(
      'UNIQUE_VIOLATION',
      `A ${repository} record with the same ${fields.join(', ') || 'unique key'} already exists. Use a different value, or upsert().`,
      { cause: options.cause, info: { ...options.info, repository, fields } },
    );
  }
}

/**
 * What a ForeignKeyError is about: the referencing repository and field, and
 * the referenced repository. `constraint` is the SQL constraint name, when
 * the database raised it.
 *
 * @example
 * ```ts
 * const ref: ForeignKeyReference = { repository: 'messages', field: 'conversationId', target: 'conversations' };
 * ```
 */
export interface ForeignKeyReference {
  readonly repository: string;
  readonly field: string;
  readonly target: string;
  readonly constraint?: string | undefined;
}

/**
 * A reference declared with `.references()` would break: a write names a
 * record that does not exist (`reason: 'missing-target'`), or a delete would
 * leave records referencing it under `onDelete: 'restrict'`
 * (`reason: 'restricted'`). Nothing was written; inside a transaction, the
 * transaction rolls back if the error leaves its callback.
 *
 * @example
 * ```ts
 * try {
 *   await db.conversations.delete(id);
 * } catch (e) {
 *   if (e instanceof ForeignKeyError && e.info.reason === 'restricted') console.log(`still referenced by ${String(e.info.repository)}.${String(e.info.field)}`);
 * }
 * ```
 */
export class ForeignKeyError extends ChatcoreError {
  constructor(reason: 'missing-target' | 'restricted', ref: ForeignKeyReference, options: ErrorOptions = {}) {
    const where = `${ref.repository}.${ref.field}`;
    super(
      'FOREIGN_KEY',
      reason === 'missing-target'
        ? `A ${where} value names no ${ref.target} record. Create the ${ref.target} record first, or fix the value; nothing was written.`
        : `The ${ref.target} record is still referenced by ${where} (onDelete: 'restrict'). Delete or reassign those ${ref.repository} records first, or declare onDelete 'cascade' or 'set null'; nothing was deleted.`,
      { cause: options.cause, info: { ...options.info, reason, repository: ref.repository, field: ref.field, target: ref.target, constraint: ref.constraint } },
    );
  }
}

/**
 * The backend (or a plugin) cannot serve this query shape; nothing was sent.
 *
 * @example
 * ```ts
 * const notes = defineRepository('notes', { id: f.id(), title: f.string() });
 * const limited = createDatabase({ driver: memoryDriver({ capabilities: { offset: false } }), repositories: { notes } });
 * await limited.notes.find({ limit: 10, offset: 20 }); // UnsupportedQueryError: this backend has no offset; nothing is sent
 * ```
 */
export class UnsupportedQueryError extends ChatcoreError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('UNSUPPORTED_QUERY', message, options);
  }
}
