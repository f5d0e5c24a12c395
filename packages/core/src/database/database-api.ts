import type { AnyRepositoryDef } from '../schema/define-repository.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import type { Driver, HealthReport } from '../driver/driver.js';
import type { IsolationLevel } from '../driver/capabilities.js';
import type { Plugin } from '../plugin/plugin.js';
import type { SecurityEvent } from '../plugin/security-event.js';
import type { CallerContext } from '../context/operation-context.js';
import type { RelatedRepository, Repository } from '../repository/repository-api.js';
import type { RelationScope } from '../relations/include-types.js';
import type { Relations } from '../relations/define-relations.js';
import type { ReferenceTargetRules } from '../references/reference-targets.js';

/**
 * The repositories of a database, by property name.
 *
 * @example
 * ```ts
 * const repositories = { users, conversations, messages } satisfies RepositoryMap;
 * const db = createDatabase({ driver: memoryDriver(), repositories });
 * ```
 */
export type RepositoryMap = Readonly<Record<string, AnyRepositoryDef>>;

/**
 * Typed repositories, one property per declared repository.
 *
 * @example
 * ```ts
 * async function closeConversation(repos: Repositories<typeof repositories>, id: string) {
 *   await repos.conversations.update(id, { status: 'closed' }); // takes db or a transaction's tx
 * }
 * ```
 */
export type Repositories<R extends RepositoryMap, Rel = {}> = {
  readonly [K in keyof R]: [keyof RelationTypes<Rel>] extends [never] ? Repository<R[K]> : RelatedRepository<R[K], RelationScope<R, RelationTypes<Rel>, K>>;
};

/**
 * The relation types of `typeof relations` (what defineRelations returns),
 * or `Rel` itself when it already is those types.
 *
 * @example
 * ```ts
 * type Db = Database<Repos, typeof relations>; // same as Database<Repos, RelationTypes<typeof relations>>
 * ```
 */
export type RelationTypes<Rel> = Rel extends Relations<RepositoryMap, infer T> ? T : Rel;

/**
 * Options of `createDatabase`.
 *
 * @example
 * ```ts
 * createDatabase({ driver: pglite(), repositories: { users, messages }, plugins: [audit(), encryption(), cache()] });
 * ```
 */
export interface DatabaseOptions<R extends RepositoryMap, Rel = {}> {
  readonly driver: Driver;
  /** The repositories by property name; every `.references(name)` among them names one of them. */
  readonly repositories: R & ReferenceTargetRules<R>;
  /** Relations between the repositories, for `include` (see defineRelations). */
  readonly relations?: Relations<R, Rel>;
  /** Outermost first. */
  readonly plugins?: readonly Plugin[];
  /** 'apply' (default) creates what is missing at connect; 'verify' only checks; 'off' skips. */
  readonly schemaMode?: 'apply' | 'verify' | 'off';
  /** Development only: allow `sensitive` fields without an encryption plugin. */
  readonly allowPlaintextSensitive?: boolean;
  /** Default per-call timeout (ms or '5s'). */
  readonly defaultTimeout?: number | string;
}

/**
 * Options of `db.connect()`.
 *
 * @example
 * ```ts
 * await db.connect({ schemaMode: 'off' }); // a migration tool that reconciles the schema itself
 * ```
 */
export interface ConnectOptions {
  /** Overrides the database's `schemaMode` for this connect. */
  readonly schemaMode?: 'apply' | 'verify' | 'off';
}

/**
 * Options of a transaction.
 *
 * @example
 * ```ts
 * const options: TransactionCallOptions = { isolation: 'serializable', timeout: '5s', actor: 'user:42' };
 * await db.transaction(async (tx) => tx.conversations.update(id, { status: 'closed' }), options);
 * ```
 */
export interface TransactionCallOptions extends CallerContext {
  readonly isolation?: IsolationLevel;
  readonly signal?: AbortSignal;
  readonly timeout?: number | string;
}

/**
 * The repositories bound to one transaction.
 *
 * @example
 * ```ts
 * async function startConversation(tx: TransactionScope<Repos>, userId: string) {
 *   const c = await tx.conversations.create({ userId, title: 'Support' });
 *   await tx.messages.create({ conversationId: c.id, role: 'system', body: 'How can we help?' });
 *   return c;
 * }
 * await db.transaction((tx) => startConversation(tx, userId));
 * ```
 */
export type TransactionScope<R extends RepositoryMap, Rel = {}> = Repositories<R, Rel> & {
  /** A nested transaction (savepoint where supported). */
  transaction<T>(fn: (tx: TransactionScope<R, Rel>) => Promise<T>, options?: TransactionCallOptions): Promise<T>;
  /** The transaction id (stable across retried attempts). */
  readonly transactionId: string;
  /** The attempt number, from 1. */
  readonly attempt: number;
};

/**
 * A database: typed repositories plus lifecycle, transactions and health.
 *
 * @example
 * ```ts
 * const db = createDatabase({ driver: pglite(), repositories: { users } });
 * await db.connect();
 * await db.users.create({ name: 'Ada' });
 * await db.close();
 * ```
 */
export interface DatabaseApi<R extends RepositoryMap, Rel = {}> {
  readonly driver: Driver;
  readonly plugins: readonly Plugin[];
  /** Storage schemas after plugins extended them, by repository name. */
  readonly schemas: ReadonlyMap<string, RepositorySchema>;
  /** Connect the driver, ensure the schema, connect plugins (inner to outer). */
  connect(options?: ConnectOptions): Promise<void>;
  /** Close plugins (outer to inner, flushing them) and then the driver. Idempotent. */
  close(): Promise<void>;
  /** Run `fn` in a transaction; commit when it resolves, roll back when it throws. */
  transaction<T>(fn: (tx: TransactionScope<R, Rel>) => Promise<T>, options?: TransactionCallOptions): Promise<T>;
  /** Run `fn` with a trace id / actor / tenant that every operation inside inherits. */
  withContext<T>(context: CallerContext, fn: () => T): T;
  /** Driver and plugin health. */
  health(): Promise<HealthReport>;
  /** Report a security event (e.g. access denied) to the plugins (the audit trail). */
  reportSecurityEvent(event: SecurityEvent): void;
  /** Find a plugin by name, typed by the caller. */
  plugin<P extends Plugin = Plugin>(name: string): P | undefined;
}

/**
 * A database with its repositories as properties.
 *
 * @example
 * ```ts
 * type Db = Database<{ users: typeof users }>;
 * type WithRelations = Database<Repos, typeof relations>; // `include` follows the declared relations
 * ```
 */
export type Database<R extends RepositoryMap, Rel = {}> = DatabaseApi<R, Rel> & Repositories<R, Rel>;
