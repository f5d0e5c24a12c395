import type { AnyRepositoryDef } from '../schema/define-repository.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import type {
  FilterOf, FindQuery, FindResult, InsertOf, PatchOf, Page, ReadableKeys, RecordOf,
} from '../schema/infer.js';
import type { CallerContext } from '../context/operation-context.js';
import type { AggregateQuery, AggregateResult, AggregateShape, CountKeyOf, NumericKeyOf } from '../schema/aggregate-types.js';
import type { SortKeyOf } from '../schema/infer.js';
import type { RowQuery } from './row-query.js';
import type { WholeRows } from './whole-rows.js';
import type { IncludeOf, RelationScope, StrictInclude, WithIncluded } from '../relations/include-types.js';
import type { LimitRule, PageSizeRule, PagingRules } from '../schema/paging-rules.js';
import type { InsertWithoutSecretsOf, PatchWithoutSecretsOf, UpsertByIdOptions, UpsertByKeyOptions, UpsertOptions } from './keyed-writes.js';

/** Omit keys from each member of a union (a query's distinct-or-cursor variants), keeping them apart. */
type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * The `include` option of a read: related records to load with the result
 * (see docs/relations.md), checked exactly against the declared relations.
 *
 * @example
 * ```ts
 * const c = await db.conversations.get(id, { include: { messages: { orderBy: { createdAt: 'desc' }, limit: 20 } } });
 * ```
 */
export interface IncludeOption<C extends RelationScope, I> {
  readonly include?: I & StrictInclude<C, I>;
}

/**
 * Call options that plugins read from `ctx.options`, declared by the
 * plugin package (or the application) with module augmentation, next to
 * the plugin's `callOptions` list: every repository call then takes them.
 * Empty in core; a key a plugin does not list is a ValidationError at run
 * time, and one not declared here does not compile.
 *
 * @example
 * ```ts
 * import type { Plugin } from '@chatcore/core/plugin';
 * declare module '@chatcore/core' {
 *   interface PluginCallOptions { readonly reason?: string }
 * }
 * const reasons: Plugin = { name: 'reasons', callOptions: ['reason'], around: (op, ctx, next) => next(op) };
 * await db.users.delete(id, { reason: 'gdpr' });
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface PluginCallOptions {}

/**
 * Options every repository call accepts: the caller context, signal,
 * timeout and cache hint, and the options plugins declare in
 * `PluginCallOptions`.
 *
 * @example
 * ```ts
 * await db.users.get(id, { timeout: '500ms', signal: req.signal, cache: false });
 * ```
 */
export interface CallOptions extends CallerContext, PluginCallOptions {
  readonly signal?: AbortSignal;
  /** ms or a duration string ('2s'); TimeoutError when exceeded. */
  readonly timeout?: number | string;
  /** Cache hint for the cache plugin: `false` bypasses it, `{ ttl }` overrides the TTL. */
  readonly cache?: false | { readonly ttl?: number | string };
}

/**
 * Options of update/delete by id.
 *
 * @example
 * ```ts
 * const options: VersionedOptions = { expectedVersion: conversation.version, actor: 'user:42' };
 * await db.conversations.delete(conversation.id, options); // ConflictError if it changed meanwhile
 * ```
 */
export interface VersionedOptions extends CallOptions {
  /** Optimistic locking: fail with ConflictError unless the stored version equals this. */
  readonly expectedVersion?: number;
}

/** No value fits this type: its one member says why, in the compiler's message. */
interface NoVersionField {
  readonly 'expectedVersion needs an f.version() field in the repository (a ValidationError at run time)': never;
}

/**
 * The options of `update` and `delete` by id on repository `D`:
 * `VersionedOptions` when it declares an `f.version()` field, else the
 * call options, where `expectedVersion` does not compile (at run time it
 * is a ValidationError: there is no version to compare).
 *
 * @example
 * ```ts
 * const tags = defineRepository('tags', { id: f.id(), label: f.string() });
 * const guarded: VersionedOptionsOf<typeof conversations> = { expectedVersion: 3 }; // conversations has f.version()
 * const plain: VersionedOptionsOf<typeof tags> = { actor: 'user:42' }; // { expectedVersion: 3 } does not compile: tags has no f.version()
 * ```
 */
export type VersionedOptionsOf<D extends AnyRepositoryDef> = string extends keyof D['fields']
  ? VersionedOptions
  : true extends { [K in keyof D['fields']]: D['fields'][K] extends { readonly __flags: { readonly managedAs: 'version' } } ? true : never }[keyof D['fields']]
    ? VersionedOptions
    : CallOptions & { readonly expectedVersion?: NoVersionField };

/**
 * Options of iterate.
 *
 * @example
 * ```ts
 * const options: IterateOptions = { pageSize: 1000 };
 * let tokens = 0;
 * for await (const m of db.messages.iterate({ where: { conversationId } }, options)) tokens += m.tokens;
 * ```
 */
export interface IterateOptions extends CallOptions {
  /** Rows fetched per round trip (default 500). */
  readonly pageSize?: number;
}

/**
 * A typed repository: CRUD, bulk operations and queries over one record type.
 * Every method runs through the plugin onion and accepts CallOptions.
 *
 * @example
 * ```ts
 * const ada = await db.users.create({ name: 'Ada', email: 'ada@example.com' });
 * await db.users.update(ada.id, { name: 'Ada L.' }, { expectedVersion: ada.version });
 * const recent = await db.messages.find({ where: { conversationId }, orderBy: { createdAt: 'desc' }, limit: 20 });
 * ```
 */
export interface Repository<D extends AnyRepositoryDef> {
  readonly name: D['name'];
  /** The logical schema, as declared, with the fields a plugin stores encrypted marked `sensitive`. */
  readonly schema: RepositorySchema;
  /** Insert one record; returns it with id and managed fields. */
  create(input: InsertOf<D>, options?: CallOptions): Promise<RecordOf<D>>;
  /** Insert many records in one batch (atomic where the backend can). */
  createMany(inputs: readonly InsertOf<D>[], options?: CallOptions): Promise<RecordOf<D>[]>;
  /** One record by id, or null. */
  get(id: string, options?: CallOptions): Promise<RecordOf<D> | null>;
  /** Records by id, in the order of `ids`; missing ids are skipped. */
  getMany(ids: readonly string[], options?: CallOptions): Promise<RecordOf<D>[]>;
  /** Records matching a query (only id and the selected fields when it selects). */
  find<S extends ReadableKeys<D> = never, L extends number = number, O extends number = number>(
    query?: FindQuery<D, S> & PagingRules<L, O>, options?: CallOptions,
  ): Promise<Array<FindResult<D, S>>>;
  /** A page of records and the cursor of the next page. */
  findPage<S extends ReadableKeys<D> = never, L extends number = number, O extends number = number>(
    query?: Omit<FindQuery<D, S>, 'distinct'> & PagingRules<L, O>, options?: CallOptions,
  ): Promise<Page<FindResult<D, S>>>;
  /** The first record matching a query, or null. */
  findOne<S extends ReadableKeys<D> = never, O extends number = number>(
    query?: OmitEach<FindQuery<D, S>, 'limit'> & Omit<PagingRules<never, O>, 'limit'>, options?: CallOptions,
  ): Promise<FindResult<D, S> | null>;
  /** Number of records matching `where`. */
  count(where?: FilterOf<D>, options?: CallOptions): Promise<number>;
  /**
   * Count, sum, average, min and max over the records matching `where`, per
   * group of `groupBy` values (one result without groupBy). One statement on
   * SQL; Firestore runs count / sum / avg natively and refuses groupBy, min
   * and max (UnsupportedQueryError). Encrypted fields allow count only.
   */
  aggregate<
    G extends SortKeyOf<D> = never, C extends CountKeyOf<D> = never, S extends NumericKeyOf<D> = never,
    A extends NumericKeyOf<D> = never, Mn extends SortKeyOf<D> = never, Mx extends SortKeyOf<D> = never, L extends number = number,
  >(
    query: AggregateQuery<D, G, C, S, A, Mn, Mx> & AggregateShape<G, C, S, A, Mn, Mx> & { readonly limit?: L & LimitRule<L> },
    options?: CallOptions,
  ): Promise<Array<AggregateResult<D, G, C, S, A, Mn, Mx>>>;
  /**
   * Records selected by a query you write (SQL drivers: a Kysely
   * `selectFrom(<table>).selectAll()...` builder from `driver.kysely()`),
   * read through the plugins like `find`: decrypted, authenticated, secrets
   * removed, audited as a read, inside `tx` when called on `tx.<name>`.
   * Its rows must be whole rows of this repository's table: a builder of
   * another table, a partial select or a secret column does not compile
   * (see `WholeRows`), and the statement is checked again at run time
   * (ValidationError). Other drivers raise UnsupportedQueryError.
   */
  query<O>(query: RowQuery<O> & WholeRows<D, O>, options?: CallOptions): Promise<RecordOf<D>[]>;
  /** Whether any record matches `where`. */
  exists(where?: FilterOf<D>, options?: CallOptions): Promise<boolean>;
  /** Patch one record; NotFoundError if missing, ConflictError on a stale expectedVersion. */
  update(id: string, patch: PatchOf<D>, options?: VersionedOptionsOf<D>): Promise<RecordOf<D>>;
  /** Patch every record matching `where`; returns how many changed. Secrets are set by `update(id, ...)` only. */
  updateMany(where: FilterOf<D>, patch: PatchWithoutSecretsOf<D>, options?: CallOptions): Promise<number>;
  /** Insert, or update the existing record with the same id; the input and `update` may set secrets. */
  upsert(input: InsertOf<D>, options?: UpsertByIdOptions<D>): Promise<RecordOf<D>>;
  /**
   * Insert, or update the existing record with the same unique key. `update`
   * sets no secret (its hash is bound to an id not known here); when given, the
   * input's secrets are written on insert only.
   */
  upsert(input: InsertOf<D>, options: UpsertByKeyOptions<D> & { readonly update: PatchWithoutSecretsOf<D> }): Promise<RecordOf<D>>;
  /** Insert, or update the existing record with the same key: an input without secrets takes any options. */
  upsert(input: InsertWithoutSecretsOf<D>, options?: UpsertOptions<D>): Promise<RecordOf<D>>;
  /** Delete one record; false if it did not exist; ConflictError on a stale expectedVersion. */
  delete(id: string, options?: VersionedOptionsOf<D>): Promise<boolean>;
  /** Delete every record matching `where`; returns how many. */
  deleteMany(where: FilterOf<D>, options?: CallOptions): Promise<number>;
  /** Iterate over every matching record, fetching pages with keyset cursors. */
  iterate<S extends ReadableKeys<D> = never, P extends number = number>(
    query?: Omit<FindQuery<D, S>, 'limit' | 'offset' | 'after' | 'distinct'>,
    options?: IterateOptions & { readonly pageSize?: P & PageSizeRule<P> },
  ): AsyncIterable<FindResult<D, S>>;
  /** Check a candidate against a `secret()` field (constant time); rehashes when the hash parameters changed. */
  verifySecret(id: string, field: SecretKeys<D>, candidate: string, options?: CallOptions): Promise<boolean>;
}

/**
 * A repository of a database with relations: the reads take `include`
 * (checked exactly against the declared relations) and return the related
 * records with each result. Assignable to `Repository<D>`.
 *
 * @example
 * ```ts
 * const c = await db.conversations.findOne({ where: { id }, include: { user: true, messages: { limit: 20 } } });
 * c?.messages.length;
 * ```
 */
export interface RelatedRepository<D extends AnyRepositoryDef, C extends RelationScope> extends Repository<D> {
  /** One record by id, or null; `include` loads related records with it. */
  get<const I extends IncludeOf<C> = {}>(id: string, options?: CallOptions & IncludeOption<C, I>): Promise<WithIncluded<C, RecordOf<D>, I> | null>;
  /** Records by id, in the order of `ids`; missing ids are skipped. */
  getMany<const I extends IncludeOf<C> = {}>(ids: readonly string[], options?: CallOptions & IncludeOption<C, I>): Promise<Array<WithIncluded<C, RecordOf<D>, I>>>;
  /** Records matching a query (only id and the selected fields when it selects). */
  find<S extends ReadableKeys<D> = never, const I extends IncludeOf<C> = {}, L extends number = number, O extends number = number>(
    query?: FindQuery<D, S> & IncludeOption<C, I> & PagingRules<L, O>, options?: CallOptions,
  ): Promise<Array<WithIncluded<C, FindResult<D, S>, I>>>;
  /** A page of records and the cursor of the next page. */
  findPage<S extends ReadableKeys<D> = never, const I extends IncludeOf<C> = {}, L extends number = number, O extends number = number>(
    query?: Omit<FindQuery<D, S>, 'distinct'> & IncludeOption<C, I> & PagingRules<L, O>, options?: CallOptions,
  ): Promise<Page<WithIncluded<C, FindResult<D, S>, I>>>;
  /** The first record matching a query, or null. */
  findOne<S extends ReadableKeys<D> = never, const I extends IncludeOf<C> = {}, O extends number = number>(
    query?: OmitEach<FindQuery<D, S>, 'limit'> & IncludeOption<C, I> & Omit<PagingRules<never, O>, 'limit'>, options?: CallOptions,
  ): Promise<WithIncluded<C, FindResult<D, S>, I> | null>;
  /** Iterate over every matching record, fetching pages with keyset cursors; `include` loads each page's relations. */
  iterate<S extends ReadableKeys<D> = never, const I extends IncludeOf<C> = {}, P extends number = number>(
    query?: Omit<FindQuery<D, S>, 'limit' | 'offset' | 'after' | 'distinct'> & IncludeOption<C, I>,
    options?: IterateOptions & { readonly pageSize?: P & PageSizeRule<P> },
  ): AsyncIterable<WithIncluded<C, FindResult<D, S>, I>>;
}

/**
 * Names of the `secret()` fields of a repository.
 *
 * @example
 * ```ts
 * const field: SecretKeys<typeof users> = 'password';
 * const ok = await db.users.verifySecret(userId, field, 'analytical'); // true when it matches the stored hash
 * ```
 */
export type SecretKeys<D extends AnyRepositoryDef> = Exclude<Extract<keyof D['fields'], string>, ReadableKeys<D>>;
