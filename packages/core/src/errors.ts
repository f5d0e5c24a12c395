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
  constructor(issues: readonly ValidationIssue[], options: ErrorOptions & { readonly context?: string } = {}) {
    const context = options.context ?? 'input';
    const head = issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`).join('; ');
    const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
    super('VALIDATION', `Invalid ${context}: ${head}${more}. Fix the input to match the repository schema; nothing was written.`, {
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

/**
 * The backend cannot be reached (refused, reset, breaker open, TLS failure).
 *
 * @example
 * ```ts
 * async function handle() {
 *   try {
 *     return { status: 200, body: await db.users.get(id) };
 *   } catch (e) {
 *     if (e instanceof ConnectionError) return { status: 503, body: null }; // the backend is unreachable: retry later
 *     throw e;
 *   }
 * }
 * ```
 */
export class ConnectionError extends ChatcoreError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('CONNECTION', message, options);
  }
}

/**
 * The call took longer than its timeout.
 *
 * @example
 * ```ts
 * await db.users.find({}, { timeout: '2s' }); // TimeoutError after 2 s
 * ```
 */
export class TimeoutError extends ChatcoreError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('TIMEOUT', message, options);
  }
}

/**
 * The caller's AbortSignal fired before the call completed.
 *
 * @example
 * ```ts
 * const ac = new AbortController(); ac.abort(); await db.users.get(id, { signal: ac.signal }); // AbortedError
 * ```
 */
export class AbortedError extends ChatcoreError {
  constructor(options: ErrorOptions = {}) {
    super('ABORTED', 'The operation was aborted by the caller\'s AbortSignal.', options);
  }
}

/**
 * The database schema differs from the declared one in a way chatcore will not
 * change by itself (a dropped or retyped column), or verify mode found a gap.
 *
 * @example
 * ```ts
 * try {
 *   await db.connect(); // with schemaMode: 'verify'
 * } catch (e) {
 *   if (e instanceof SchemaDriftError) console.error(e.info.differences); // ['column users.nickname is missing', ...]
 * }
 * ```
 */
export class SchemaDriftError extends ChatcoreError {
  constructor(differences: readonly string[], options: ErrorOptions = {}) {
    super(
      'SCHEMA_DRIFT',
      `The database schema does not match the repositories: ${differences.join('; ')}. Migrate the database (chatcore never drops or retypes data itself).`,
      { cause: options.cause, info: { ...options.info, differences } },
    );
  }
}

/**
 * Configuration is wrong: plugin order, YAML mistakes, missing env vars.
 *
 * @example
 * ```ts
 * try {
 *   loadConfig('chatcore.yaml');
 * } catch (e) {
 *   if (e instanceof ConfigError) for (const p of e.problems) console.error(p.path, p.message);
 * }
 * ```
 */
export class ConfigError extends ChatcoreError {
  readonly problems: readonly ValidationIssue[];
  constructor(message: string, options: ErrorOptions & { readonly problems?: readonly ValidationIssue[] } = {}) {
    const problems = options.problems ?? [];
    super('CONFIG', message, { cause: options.cause, info: { ...options.info, problems } });
    this.problems = problems;
  }
}

/**
 * Stored data failed an integrity check (tampered ciphertext, broken chain).
 *
 * @example
 * ```ts
 * try {
 *   await db.users.get(id);
 * } catch (e) {
 *   if (e instanceof IntegrityError) console.error('stored ciphertext was altered', e.info); // repository, field, id: never a value
 * }
 * ```
 */
export class IntegrityError extends ChatcoreError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('INTEGRITY', message, options);
  }
}

/**
 * A key is missing or unusable. Names the key id, never key material.
 *
 * @example
 * ```ts
 * try {
 *   await db.users.get(id);
 * } catch (e) {
 *   if (e instanceof KeyError) console.error(`add key ${String(e.info.keyId)} to the keyring`);
 * }
 * ```
 */
export class KeyError extends ChatcoreError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('KEY', message, options);
  }
}

/**
 * Misuse of a transaction: `db` used inside a transaction callback instead
 * of its `tx`, a `tx` (or driver session) used after its transaction ended,
 * or a transaction the backend aborted. Raised before anything is sent.
 *
 * @example
 * ```ts
 * await db.transaction(async (tx) => { await db.users.get(id); }); // TransactionError on every backend: use tx.users
 * ```
 */
export class TransactionError extends ChatcoreError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('TRANSACTION', message, options);
  }
}

/**
 * A bulk write had to be split and failed part way; `writtenIds` were written.
 *
 * @example
 * ```ts
 * const batch = Array.from({ length: 2000 }, (_, i) => ({ conversationId, role: 'user' as const, body: `message ${i}` }));
 * try {
 *   await db.messages.createMany(batch);
 * } catch (e) {
 *   if (e instanceof PartialWriteError) await db.messages.deleteMany({ id: { in: [...e.writtenIds] } }); // or retry the rest
 * }
 * ```
 */
export class PartialWriteError extends ChatcoreError {
  readonly writtenIds: readonly string[];
  constructor(repository: string, writtenIds: readonly string[], options: ErrorOptions = {}) {
    super(
      'PARTIAL_WRITE',
      `A bulk write to ${repository} failed after ${writtenIds.length} records were committed (the backend splits large batches). ` +
        'The committed ids are in writtenIds; retry the rest or remove them.',
      { cause: options.cause, info: { ...options.info, repository, writtenIds } },
    );
    this.writtenIds = writtenIds;
  }
}

/**
 * A plugin failed in a way that had to stop the operation.
 *
 * @example
 * ```ts
 * try {
 *   await db.users.get(id);
 * } catch (e) {
 *   if (e instanceof PluginError) console.error(`plugin ${String(e.info.plugin)} failed`, e.cause);
 * }
 * ```
 */
export class PluginError extends ChatcoreError {
  constructor(plugin: string, message: string, options: ErrorOptions = {}) {
    super('PLUGIN', `Plugin ${plugin}: ${message}`, { cause: options.cause, info: { ...options.info, plugin } });
  }
}

/**
 * An unexpected backend error that maps to no other type.
 *
 * @example
 * ```ts
 * try {
 *   await db.users.get(id);
 * } catch (e) {
 *   if (e instanceof DriverError) console.error(e.message, e.cause); // the backend's own error is the cause
 * }
 * ```
 */
export class DriverError extends ChatcoreError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('DRIVER', message, options);
  }
}

/**
 * A versioned migration cannot be applied: an applied migration was edited
 * afterwards (its checksum differs), two migrations share an id, a step
 * names something the repositories do not have, or a step failed. `info`
 * names the migration (`id`) and, where it applies, the step and both
 * checksums.
 *
 * @example
 * ```ts
 * const explain = (e: unknown) => (e instanceof MigrationError ? `migration ${String(e.info.id)}: ${e.message}` : String(e));
 * ```
 */
export class MigrationError extends ChatcoreError {
  constructor(message: string, options: ErrorOptions = {}) {
    super('MIGRATION', message, options);
  }
}
