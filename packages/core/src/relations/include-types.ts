import type { AnyRepositoryDef } from '../schema/define-repository.js';
import type { FilterOf, OrderByOf, Projected, ReadableKeys, RecordOf } from '../schema/infer.js';
import type { ManyRelation, OneRelation } from './define-relations.js';
import type { LimitRule } from '../schema/paging-rules.js';
import type { StrictWhere } from './strict-where.js';

type RepoMap = Readonly<Record<string, AnyRepositoryDef>>;

/**
 * Where a repository sits among related ones: the repository map, every
 * declared relation, and this repository's key. `RelatedRepository<D, Scope>`
 * uses it to type `include`.
 *
 * @example
 * ```ts
 * type ConversationScope = RelationScope<Repos, RelationTypes<typeof relations>, 'conversations'>;
 * type Conversations = RelatedRepository<Repos['conversations'], ConversationScope>; // what db.conversations is
 * ```
 */
export interface RelationScope<R extends RepoMap = RepoMap, Rel = unknown, K extends keyof R = any> {
  readonly repos: R;
  readonly relations: Rel;
  readonly key: K;
}

/** The relations declared on repository K. */
type RelsAt<Rel, K> = K extends keyof Rel ? Rel[K] : {};
type TargetOf<X> = X extends OneRelation<infer T> | ManyRelation<infer T> ? T : never;
type At<C extends RelationScope, T> = RelationScope<C['repos'], C['relations'], T & keyof C['repos']>;
type DefOf<C extends RelationScope, T> = C['repos'][T & keyof C['repos']];

/**
 * Options of an included `one` relation: a filter (a related record that
 * does not match reads as null), a projection of at least one field and
 * nested includes.
 *
 * @example
 * ```ts
 * const rows = await db.messages.find({ include: { conversation: { select: ['title'], include: { user: true } } } });
 * ```
 */
export interface IncludeOne<C extends RelationScope> {
  readonly where?: FilterOf<C['repos'][C['key']]>;
  /** Return only these fields, at least one (id is always included), as `find`'s select. */
  readonly select?: readonly [ReadableKeys<C['repos'][C['key']]>, ...ReadableKeys<C['repos'][C['key']]>[]];
  readonly include?: IncludeOf<C>;
}

/**
 * Options of an included `many` relation: filter, order, a limit per
 * parent record ("its last 20 messages"), projection and nested includes.
 *
 * @example
 * ```ts
 * const open = await db.conversations.find({ include: { messages: { orderBy: { createdAt: 'desc' }, limit: 20 } } });
 * ```
 */
export interface IncludeMany<C extends RelationScope> extends IncludeOne<C> {
  readonly orderBy?: OrderByOf<C['repos'][C['key']]>;
  /** At most this many related records per parent (1..10,000). */
  readonly limit?: number;
}

/**
 * What `include` accepts on repository `C['key']`: each declared relation,
 * `true` for whole records or an object of options.
 *
 * @example
 * ```ts
 * const include = { user: true, messages: { limit: 20 } } satisfies IncludeOf<RelationScope<Repos, RelationTypes<typeof relations>, 'conversations'>>;
 * ```
 */
export type IncludeOf<C extends RelationScope> = {
  readonly [N in keyof RelsAt<C['relations'], C['key']>]?: true | (RelsAt<C['relations'], C['key']>[N] extends ManyRelation
    ? IncludeMany<At<C, TargetOf<RelsAt<C['relations'], C['key']>[N]>>>
    : IncludeOne<At<C, TargetOf<RelsAt<C['relations'], C['key']>[N]>>>);
};

/** No value fits this type: its one member says why, in the compiler's message. */
interface NoSkippedRelation {
  readonly 'an included relation is true or an object of options (undefined is a ValidationError): leave the relation out to skip it': never;
}

type StrictArgs<C extends RelationScope, X, A> = A extends undefined
  ? NoSkippedRelation
  : A extends true
  ? true
  : {
    [P in keyof A]: P extends 'include'
      ? StrictInclude<At<C, TargetOf<X>>, A[P]>
      : P extends 'where'
        ? StrictWhere<DefOf<C, TargetOf<X>>, A[P]>
        : P extends 'limit'
          ? (X extends ManyRelation ? A[P] & LimitRule<A[P]> : never)
          : P extends (X extends ManyRelation ? 'select' | 'orderBy' : 'select') ? A[P] : never;
  };

/**
 * `include` as written, checked exactly: a relation name, option,
 * `where` field or operator that is not declared is an error, at every level
 * (a plain object type would let an extra key through).
 *
 * @example
 * ```ts
 * type Checked = StrictInclude<RelationScope<Repos, RelationTypes<typeof relations>, 'conversations'>, { messages: { limit: 20 } }>;
 * ```
 */
export type StrictInclude<C extends RelationScope, I> = {
  [N in keyof I]: N extends keyof RelsAt<C['relations'], C['key']> ? StrictArgs<C, RelsAt<C['relations'], C['key']>[N], I[N]> : never;
};

type SelectOf<A> = A extends { readonly select: readonly (infer S)[] } ? S : never;
type NestedOf<A> = A extends { readonly include: infer J } ? J : {};
type RowOf<C extends RelationScope, A> = [SelectOf<A>] extends [never]
  ? WithIncluded<C, RecordOf<C['repos'][C['key']]>, NestedOf<A>>
  : WithIncluded<C, Projected<C['repos'][C['key']], SelectOf<A> & ReadableKeys<C['repos'][C['key']]>>, NestedOf<A>>;
type RelatedValue<C extends RelationScope, X, A> = X extends ManyRelation<infer T>
  ? Array<RowOf<At<C, T>, A>>
  : X extends OneRelation<infer T> ? RowOf<At<C, T>, A> | null : never;

/**
 * A result row with its included relations: `one` as a record or null,
 * `many` as an array, each shaped by its own select and include; relations
 * not included are absent.
 *
 * @example
 * ```ts
 * type Row = WithIncluded<RelationScope<Repos, RelationTypes<typeof relations>, 'conversations'>, RecordOf<typeof conversations>, { messages: { select: ['body'] } }>;
 * // { id, title, ..., messages: { id: string; body: string }[] }
 * ```
 */
export type WithIncluded<C extends RelationScope, Base, I> = [keyof I] extends [never]
  ? Base
  // An intersection, not a flattened copy: a row with includes stays assignable to the plain row type.
  : Base & { -readonly [N in keyof I & keyof RelsAt<C['relations'], C['key']>]: RelatedValue<C, RelsAt<C['relations'], C['key']>[N], I[N]> };
