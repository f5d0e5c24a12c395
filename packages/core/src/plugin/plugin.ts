import type { RepositorySchema } from '../schema/repository-schema.js';
import type { FieldMeta } from '../schema/field-meta.js';
import type { StoredRow, Driver, DriverSession, HealthReport } from '../driver/driver.js';
import type { DriverCapabilities } from '../driver/capabilities.js';
import type { OperationContext } from '../context/operation-context.js';
import type { MethodName, Operation, OperationOf, OperationResult } from './operation.js';
import type { ValidationError } from '../errors.js';
import type { CallerContext } from '../context/operation-context.js';
import type { SecurityEvent } from './security-event.js';
import type { MigrationBackend } from '../driver/migration-backend.js';

/**
 * What a plugin gets at connect: the storage schemas, the driver's
 * capabilities, a way to run plugin-owned operations, and the event bus.
 *
 * @example
 * ```ts
 * let host: PluginHost | undefined;
 * const admin: Plugin = { name: 'admin', connect(h) { host = h; } };
 * // after db.connect(), e.g. in a maintenance job: a count that passes through the plugins below 'admin'
 * const { count } = await host!.execute('admin', { kind: 'count', schema: host!.schema('users'), where: undefined });
 * ```
 */
export interface PluginHost {
  /** Storage schemas (after every extendSchema), by repository name. */
  readonly schemas: ReadonlyMap<string, RepositorySchema>;
  /** The storage schema of one repository; throws for unknown names. */
  schema(name: string): RepositorySchema;
  readonly capabilities: DriverCapabilities;
  /**
   * Reads that depend on another repository's rows: for each join repository
   * of a many-to-many relation (storage name), the repositories whose limited
   * includes query through it. A plugin that keeps query results must drop
   * those repositories' results when the join repository changes.
   */
  readonly readsThrough: ReadonlyMap<string, readonly string[]>;
  /** The root driver session (below every plugin): for plugin-owned repositories and admin jobs only. */
  readonly session: DriverSession;
  /** Report a security event to every plugin's onSecurityEvent. */
  reportSecurityEvent(event: SecurityEvent): void;
  /** Run an operation through the plugins below `from` (for re-encryption jobs and similar). */
  execute(from: string, op: Operation, ctx?: Partial<Pick<OperationContext, 'actor' | 'tenant' | 'traceId'>>): Promise<OperationResult>;
  /**
   * The driver's name, health report and migration history, read-only (for
   * metrics: pool and breaker state; for key jobs: the migrations that
   * started and did not finish). `migrations` is absent where the driver
   * keeps no history.
   */
  readonly driver: Pick<Driver, 'name' | 'health'> & { readonly migrations?: Pick<MigrationBackend, 'history'> | undefined };
  /** Every plugin of the database, outermost first (to read another plugin's `stats()`). */
  readonly plugins: readonly Plugin[];
}

/**
 * Placement rules a plugin declares; createDatabase checks them.
 *
 * @example
 * ```ts
 * const placement: PluginPlacement = { storesData: true };
 * const mirror: Plugin = { name: 'search-mirror', placement }; // createDatabase rejects it above encryption()
 * ```
 */
export interface PluginPlacement {
  /** This plugin turns plaintext of sensitive fields into ciphertext (encryption). */
  readonly protectsSensitive?: boolean;
  /** This plugin stores or transmits data and must sit below every plugin that protects sensitive fields (cache). */
  readonly storesData?: boolean;
  /** Wants to be first (audit): a warning-free order puts it outermost. */
  readonly prefersOutermost?: boolean;
}

/**
 * Event passed to before/after hooks.
 *
 * @example
 * ```ts
 * const logReads: Plugin = {
 *   name: 'log-reads',
 *   beforeRead({ op, ctx }: HookEvent) { console.log(ctx.traceId, ctx.repository, op.kind); },
 * };
 * ```
 */
export interface HookEvent<O extends Operation = Operation> {
  readonly op: O;
  readonly ctx: OperationContext;
}

/**
 * Event passed to after hooks.
 *
 * @example
 * ```ts
 * const rowCounts: Plugin = {
 *   name: 'row-counts',
 *   afterRead({ ctx, result }: AfterHookEvent) { console.log(ctx.repository, ctx.method, result.rows.length); },
 * };
 * ```
 */
export interface AfterHookEvent<O extends Operation = Operation> extends HookEvent<O> {
  readonly result: OperationResult;
}

/**
 * One completed operation, as afterCommit/afterRollback see it.
 *
 * @example
 * ```ts
 * const summary = ({ op, ctx, ids }: CompletedOperation) => `${ctx.method} ${op.schema.name} ${ids.join(',')}`;
 * const commitLog: Plugin = { name: 'commit-log', afterCommit: (e) => { e.operations.filter((o) => !o.failed).forEach((o) => console.log(summary(o))); } };
 * ```
 */
export interface CompletedOperation {
  readonly op: Operation;
  readonly ctx: OperationContext;
  readonly result: OperationResult;
  /** Ids the operation touched (read, written or deleted); for a failed write, the ids it named (inserted rows, targeted ids), if any. */
  readonly ids: readonly string[];
  /**
   * The call failed (its error reached the caller), yet it may have changed
   * data before failing: a timeout that fired while the statement ran, a
   * plugin above that threw after `next(op)`. Only writes are recorded so,
   * and only inside a transaction, which the caller may catch the error of and
   * commit. `result` is empty. A plugin that records what happened skips
   * these; one that keeps copies of data (a cache) drops what they may touch.
   */
  readonly failed?: true;
}

/**
 * Event passed to afterCommit / afterRollback: every operation of the
 * transaction (a single operation outside transactions), in order.
 *
 * @example
 * ```ts
 * const commits: Plugin = {
 *   name: 'commits',
 *   afterCommit(event: TransactionEvent) { console.log(event.transactionId, event.attempt, event.operations.length); },
 * };
 * ```
 */
export interface TransactionEvent {
  readonly transactionId: string;
  readonly attempt: number;
  readonly implicit: boolean;
  readonly operations: readonly CompletedOperation[];
  readonly error?: unknown;
  /**
   * On afterRollback only: the backend refused this implicit transaction
   * whole for its request size (nothing was written), and core runs its
   * write again without a transaction. The call's outcome is that run's
   * (its own afterCommit, or its error), not this rollback: a plugin that
   * records outcomes skips this event.
   */
  readonly rerun?: true;
  /**
   * On afterRollback only: the backend rolled this attempt back to run the
   * transaction's function again (contention, a serialization failure or a
   * deadlock); the next attempt follows. Not the transaction's outcome.
   * Inside an implicit transaction the caller made one call, whatever the
   * attempts: a plugin that counts calls or records outcomes skips this
   * event and counts the attempt that ends the call.
   */
  readonly retried?: true;
}

type MaybePromise<T> = T | Promise<T>;

/**
 * Event passed to onInvalidInput.
 *
 * @example
 * ```ts
 * const rejected: Plugin = {
 *   name: 'rejected-input',
 *   onInvalidInput({ repository, method, context, error }: InvalidInputEvent) {
 *     console.warn({ repository, method, traceId: context.traceId, issues: error.issues }); // paths and messages, never values
 *   },
 * };
 * ```
 */
export interface InvalidInputEvent {
  readonly repository: string;
  readonly method: MethodName;
  readonly context: CallerContext & { readonly traceId: string };
  readonly error: ValidationError;
}

/**
 * A plugin: a name and hooks. Plugins nest like an onion, outermost first:
 * a call goes down through every plugin's `before*` and `around` to the
 * driver, and the result comes back up through `after*` in reverse order.
 *
 * Hooks fire for every path that touches data (single and bulk, by id and by
 * filter, inside and outside transactions). `upsert` fires the create hooks.
 *
 * @example
 * ```ts
 * const timing: Plugin = {
 *   name: 'timing',
 *   async around(op, ctx, next) {
 *     const t = performance.now();
 *     try { return await next(op); } finally { console.log(ctx.method, performance.now() - t); }
 *   },
 * };
 * ```
 */
export interface Plugin {
  readonly name: string;
  readonly placement?: PluginPlacement;
  /** Ask core to run every write in a transaction (implicit if none is open), e.g. for an outbox. */
  readonly needsTransactionalWrites?: boolean;
  /**
   * Call option keys this plugin reads from `ctx.options` beyond core's own
   * (`signal`, `timeout`, `cache`, `actor`, `tenant`, `traceId` and each
   * method's): every method then takes them. Any other key is refused with
   * ValidationError before the call runs, so that a misspelt option is not
   * silently ignored. E.g. `callOptions: ['reason']` for
   * `db.users.delete(id, { reason: 'gdpr' } as CallOptions)`.
   */
  readonly callOptions?: readonly string[];
  /**
   * Ask core to run this one write in a transaction (implicit if none is open,
   * on drivers with transactions): for a plugin that turns a write into several
   * that must commit together. Called for each write outside a transaction,
   * before any hook runs; keep it cheap. A transaction the backend refuses
   * for its size (Firestore's request limit; nothing written) is dropped and
   * the write runs again without one: report partial writes then.
   */
  needsTransaction?(op: Operation): boolean;
  /**
   * Change storage schemas or add plugin-owned repositories (`ownedBy` set to this plugin's name).
   * A storage field marked `sensitive` under a logical field's name makes core validate that field
   * as encrypted (the operators, sort keys and increments of a `.sensitive()` field only); so does
   * naming a logical field in the `holds` of the storage field that keeps it (a sealed envelope).
   */
  extendSchema?(schemas: readonly RepositorySchema[]): readonly RepositorySchema[];
  connect?(host: PluginHost): MaybePromise<void>;
  close?(): MaybePromise<void>;
  health?(): MaybePromise<HealthReport['components']>;

  beforeCreate?(event: HookEvent<OperationOf<'create'>>): MaybePromise<void>;
  afterCreate?(event: AfterHookEvent<OperationOf<'create'>>): MaybePromise<void>;
  beforeRead?(event: HookEvent<OperationOf<'read'>>): MaybePromise<void>;
  afterRead?(event: AfterHookEvent<OperationOf<'read'>>): MaybePromise<void>;
  beforeUpdate?(event: HookEvent<OperationOf<'update'>>): MaybePromise<void>;
  afterUpdate?(event: AfterHookEvent<OperationOf<'update'>>): MaybePromise<void>;
  beforeDelete?(event: HookEvent<OperationOf<'delete'>>): MaybePromise<void>;
  afterDelete?(event: AfterHookEvent<OperationOf<'delete'>>): MaybePromise<void>;
  /** Wrap the rest of the onion; return without calling `next` to short-circuit (a cache hit). */
  around?(op: Operation, ctx: OperationContext, next: (op: Operation) => Promise<OperationResult>): Promise<OperationResult>;
  /** An operation failed (after it passed this plugin on the way down). */
  onError?(event: HookEvent & { readonly error: unknown }): MaybePromise<void>;
  /** Fires once, after the transaction (or single operation) committed. */
  afterCommit?(event: TransactionEvent): MaybePromise<void>;
  /** Fires once per rolled-back transaction attempt. */
  afterRollback?(event: TransactionEvent): MaybePromise<void>;
  /**
   * Caller input was rejected by validation before the onion (nothing was
   * sent to any plugin or the driver). For audit trails and injection
   * detection; the error names fields, never values.
   */
  onInvalidInput?(event: InvalidInputEvent): MaybePromise<void>;
  /** A security event reported by any plugin or the application. */
  onSecurityEvent?(event: SecurityEvent): MaybePromise<void>;
  /**
   * Migrations: field `to` of `repository` was called `from` before. When
   * this plugin stored it in a way bound to its name (encryption binds the
   * field name into each ciphertext), return how to read the values stored
   * under the old name; otherwise undefined (the column is simply renamed).
   * Called after `connect`.
   */
  renamedFieldReader?(repository: string, from: string, to: string): RenamedFieldReader | undefined;
  /**
   * Migrations: a data step starts rewriting the rows of `repository`
   * through it. Rows written before this plugin kept what it now checks (a
   * repository that gains its first encrypted field has rows without a row
   * authenticator, and without any protected value) are accepted until the
   * returned function is called, so the step can write them; `step` says
   * which fields the migration adds and which rows it already rewrote
   * (those must carry what the plugin checks again). Called after `connect`.
   */
  migrationRewrites?(repository: string, step: MigrationRewriteStep): (() => void) | undefined;
  /**
   * Migrations: whether `value`, read below every plugin from field `field`
   * of `repository`, is stored the way this plugin stores that field now.
   * `field` is a storage field this plugin keeps (encryption's ciphertext
   * fields and envelopes: true for one of its ciphertexts, false for
   * anything else), or a logical field it keeps inside another storage
   * field (named in that field's `holds`, a sealed envelope): false for
   * any value stored under the field's own name, which the plugin never
   * reads. Undefined when this plugin does not store `field`. Shape only:
   * nothing is decrypted and no key is needed, so it may be called before
   * `connect` (after `extendSchema`). `planMigration` samples the
   * stored values of such fields and refuses a change that would leave a
   * value this returns false for unreadable, or drop it.
   *
   * @example
   * ```ts
   * const enc = db.plugin('encryption');
   * enc?.isStoredCiphertext?.('people', 'ssn', '123-45-6789'); // false: plaintext where a ciphertext belongs
   * enc?.isStoredCiphertext?.('people', 'name', 'Ada');        // undefined: a field the plugin leaves alone
   * ```
   */
  isStoredCiphertext?(repository: string, field: string, value: unknown): boolean | undefined;
  /**
   * `schemaMode: 'verify'`: what else keeps the database from matching the
   * code (e.g. pending migrations, by id). Called at connect before the
   * driver's check; every difference found ends up in one SchemaDriftError.
   */
  verifySchema?(driver: Driver): MaybePromise<readonly string[]>;
}

/**
 * What a migration's data step tells plugins as it starts rewriting a
 * repository (see `Plugin.migrationRewrites`).
 *
 * @example
 * ```ts
 * const lastId = '0190a1b2-0000-7000-8000-000000000000'; // where the step got to
 * const step: MigrationRewriteStep = { adds: ['phone'], rewritten: (id) => id <= lastId };
 * const release = db.plugin('encryption')?.migrationRewrites?.('people', step);
 * ```
 */
export interface MigrationRewriteStep {
  /** Logical fields of the repository that the migration adds (its `addField` steps). */
  readonly adds: readonly string[];
  /**
   * Whether the row `id` was already rewritten by this step or by an
   * earlier step of the migration that rewrites every row it reads (the
   * steps walk rows in id order and record how far they got, so this holds
   * across interrupted runs).
   */
  rewritten(id: string): boolean;
}

/**
 * How a plugin reads values it stored for a field under an earlier name,
 * so that a migration can write them again under the new one (through the
 * repository, so they are stored as the new field's values).
 *
 * @example
 * ```ts
 * const reader = db.plugin('encryption')?.renamedFieldReader?.('users', 'email', 'contact');
 * if (reader) console.log(Object.keys(reader.fields)); // ['email', 'emailBidx']: read them (and reader.alsoRead) with the driver, then reader.read(row)
 * ```
 */
export interface RenamedFieldReader {
  /** The storage fields the old name occupied (e.g. the ciphertext and its blind index), by storage field name. */
  readonly fields: Readonly<Record<string, FieldMeta>>;
  /** Which of `fields` holds the value (the others are dropped with it). */
  readonly valueField: string;
  /** Current storage fields `read` needs as well (e.g. a row authenticator the value is bound to); read them with `fields`. */
  readonly alsoRead?: readonly string[];
  /** The logical value of a storage row holding `id` and `fields` (null for null). */
  read(row: StoredRow): unknown;
}

export type { StoredRow };
