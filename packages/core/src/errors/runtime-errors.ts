// Errors about the running system: connections, deadlines, schema, config,
// keys and integrity, transactions, plugins, drivers and migrations.
import { ChatcoreError, type ErrorCode, type ErrorOptions } from './base.js';
import type { ValidationIssue } from './data-errors.js';

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
 * One configuration mistake: the YAML path (e.g. `database.connection_pool_size`),
 * what is wrong, and the line in the file when the source was YAML.
 *
 * @example
 * ```ts
 * try {
 *   loadConfig('chatcore.yaml');
 * } catch (e) {
 *   if (e instanceof ConfigError) for (const p of e.problems) console.error(p.path, p.line, p.message);
 * }
 * ```
 */
export interface ConfigProblem extends ValidationIssue {
  /** The line in the YAML file (absent when the setting did not come from a file). */
  readonly line?: number | undefined;
}

/**
 * Configuration is wrong: plugin order, YAML mistakes, missing env vars.
 * Each problem names its path and, from YAML, its line.
 *
 * @example
 * ```ts
 * try {
 *   loadConfig('chatcore.yaml');
 * } catch (e) {
 *   if (e instanceof ConfigError) for (const p of e.problems) console.error(`${p.path} (line ${p.line ?? '?'}): ${p.message}`);
 * }
 * ```
 */
export class ConfigError extends ChatcoreError {
  readonly problems: readonly ConfigProblem[];
  constructor(message: string, options: ErrorOptions & { readonly problems?: readonly ConfigProblem[] } = {}) {
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
