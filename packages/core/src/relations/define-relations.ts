import { ConfigError } from '../errors.js';
import type { AnyRepositoryDef } from '../schema/define-repository.js';
import type { FieldFlags } from '../schema/field.js';

type RepoMap = Readonly<Record<string, AnyRepositoryDef>>;
type FlagsOf<Fd> = Fd extends { __flags: infer Fl extends FieldFlags } ? Fl : never;
type ValueOf<Fd> = Fd extends { __type: infer T } ? T : never;

/**
 * Fields that can hold another record's id: plain (not encrypted, not
 * secret) `f.string()` fields, optional or not, and the id. Not `f.text()`
 * or `f.enum()` fields, which `createDatabase` refuses as keys too.
 *
 * @example
 * ```ts
 * const fk: KeyFieldOf<typeof messages> = 'conversationId';
 * ```
 */
export type KeyFieldOf<D extends AnyRepositoryDef> = {
  [K in keyof D['fields']]: FlagsOf<D['fields'][K]> extends { readonly text: true }
    ? never
    : FlagsOf<D['fields'][K]>['ops'] extends 'string' | 'ordered' | 'equality'
      ? string extends ValueOf<D['fields'][K]> ? (ValueOf<D['fields'][K]> extends string ? K : never) : never
      : never;
}[keyof D['fields']] & string;

/**
 * A relation to one record of `T`: `field` (on the declaring repository)
 * holds its id, or `targetField` (on `T`) holds the declaring record's id
 * (one-to-one seen from the other side).
 *
 * @example
 * ```ts
 * const author: OneRelation<'users'> = { kind: 'one', target: 'users', field: 'userId' };
 * ```
 */
export interface OneRelation<T extends string = string> {
  readonly kind: 'one';
  readonly target: T;
  readonly field?: string | undefined;
  readonly targetField?: string | undefined;
}

/**
 * A relation to many records of `T`: `field` (on `T`) holds the declaring
 * record's id; or, with `through`, a join repository whose `field` holds
 * the declaring record's id and `targetField` the id of a `T`.
 *
 * @example
 * ```ts
 * const thread: ManyRelation<'messages'> = { kind: 'many', target: 'messages', field: 'conversationId' };
 * ```
 */
export interface ManyRelation<T extends string = string> {
  readonly kind: 'many';
  readonly target: T;
  readonly field: string;
  readonly through?: string | undefined;
  readonly targetField?: string | undefined;
}

/**
 * A declared relation.
 *
 * @example
 * ```ts
 * const kinds = (r: Relation) => r.kind; // 'one' | 'many'
 * ```
 */
export type Relation = OneRelation | ManyRelation;

/**
 * The helpers `defineRelations` hands to the declarations of repository `K`.
 *
 * @example
 * ```ts
 * const relations = defineRelations({ users, conversations, messages }, {
 *   conversations: (r) => ({ user: r.one('users', { field: 'userId' }), messages: r.many('messages', { field: 'conversationId' }) }),
 * });
 * ```
 */
export interface RelationBuilder<R extends RepoMap, K extends keyof R> {
  /** Many-to-one: `field` of this repository holds the target's id. */
  one<T extends keyof R & string>(target: T, on: { readonly field: KeyFieldOf<R[K]> }): OneRelation<T>;
  /** One-to-one from the other side: `targetField` of the target holds this record's id. */
  one<T extends keyof R & string>(target: T, on: { readonly targetField: KeyFieldOf<R[T]> }): OneRelation<T>;
  /** One-to-many: `field` of the target holds this record's id. */
  many<T extends keyof R & string>(target: T, on: { readonly field: KeyFieldOf<R[T]> }): ManyRelation<T>;
  /** Many-to-many through join repository `through`: its `field` holds this record's id, its `targetField` the target's. */
  many<T extends keyof R & string, J extends keyof R & string>(
    target: T,
    on: { readonly through: J; readonly field: KeyFieldOf<R[J]>; readonly targetField: KeyFieldOf<R[J]> },
  ): ManyRelation<T>;
}

/**
 * The declarations `defineRelations` takes: per repository, a function of
 * the builder returning its relations by name.
 *
 * @example
 * ```ts
 * const spec: RelationSpec<Repos> = { messages: (r) => ({ conversation: r.one('conversations', { field: 'conversationId' }) }) };
 * const fromSpec = defineRelations(repositories, spec);
 * ```
 */
export type RelationSpec<R extends RepoMap> = {
  readonly [K in keyof R]?: (r: RelationBuilder<R, K>) => Readonly<Record<string, Relation>>;
};

/** Words no relation may be named (the runtime refuses them as property names). */
type ReservedName = '__proto__' | 'constructor' | 'prototype' | 'and' | 'or' | 'not';
/** Relation names of `spec` that are also a field of their repository, or a reserved word: a relation is read as a property of its record. */
type NameClashes<R extends RepoMap, S> = {
  [K in keyof S & keyof R]: S[K] extends (...args: never[]) => infer O ? `${K & string}.${Extract<keyof O, Extract<keyof R[K]['fields'], string> | ReservedName>}` : never;
}[keyof S & keyof R];
/** Nothing when every relation name is free; otherwise a member the spec lacks, naming the clashes. */
type FreeNames<R extends RepoMap, S> = [NameClashes<R, S>] extends [never] ? unknown : { readonly 'relations named like a field or a reserved word': NameClashes<R, S> };

/**
 * Relations of every repository, by repository key then relation name, as
 * `createDatabase` takes them (`relations:`). `Rel` carries the types.
 *
 * @example
 * ```ts
 * const none: Relations<Repos> = defineRelations(repositories, {});
 * createDatabase({ driver: memoryDriver(), repositories, relations: none });
 * ```
 */
export interface Relations<R extends RepoMap = RepoMap, Rel = {}> {
  readonly repositories: R;
  readonly byRepository: Readonly<Record<string, Readonly<Record<string, Relation>>>>;
  /** Phantom member: the declared relations, for type inference only. */
  readonly __relations?: Rel;
}

/** The relation types `spec` declares, by repository key. */
type Declared<S> = { readonly [K in keyof S]: S[K] extends (...args: never[]) => infer O ? O : never };

/**
 * Declare the relations between repositories (Drizzle style), checked where
 * they are written: a target that is not a repository, or a field that is
 * not a plain string field of the right repository, does not compile;
 * `createDatabase` checks them again at run time (ConfigError).
 *
 * @example
 * ```ts
 * const tags = defineRepository('tags', { id: f.id(), label: f.string() });
 * const conversationTags = defineRepository('conversationTags', { id: f.id(), conversationId: f.string(), tagId: f.string() });
 * const repos = { users, conversations, messages, tags, conversationTags };
 * const declared = defineRelations(repos, {
 *   users: (r) => ({ conversations: r.many('conversations', { field: 'userId' }) }),
 *   conversations: (r) => ({
 *     user: r.one('users', { field: 'userId' }),
 *     messages: r.many('messages', { field: 'conversationId' }),
 *     tags: r.many('tags', { through: 'conversationTags', field: 'conversationId', targetField: 'tagId' }),
 *   }),
 *   messages: (r) => ({ conversation: r.one('conversations', { field: 'conversationId' }) }),
 * });
 * const chat = createDatabase({ driver: memoryDriver(), repositories: repos, relations: declared });
 * ```
 */
export function defineRelations<const R extends RepoMap, const S extends RelationSpec<R>>(repositories: R, spec: S & FreeNames<R, S>): Relations<R, Declared<S>> {
  const byRepository: Record<string, Readonly<Record<string, Relation>>> = {};
  for (const [key, declare] of Object.entries(spec as Record<string, unknown>)) {
    if (!Object.hasOwn(repositories, key)) throw new ConfigError(`defineRelations: ${JSON.stringify(key)} is not one of the repositories (${Object.keys(repositories).join(', ')}).`);
    if (typeof declare !== 'function') throw new ConfigError(`defineRelations: relations.${key} must be a function (r) => ({ ... }).`);
    const declared = (declare as (r: unknown) => unknown)(BUILDER);
    if (declared === null || typeof declared !== 'object') throw new ConfigError(`defineRelations: relations.${key} must return an object of relations.`);
    byRepository[key] = Object.freeze({ ...(declared as Record<string, Relation>) });
  }
  return Object.freeze({ repositories, byRepository: Object.freeze(byRepository) });
}

const BUILDER = Object.freeze({
  one(target: string, on: { field?: string; targetField?: string }): OneRelation {
    return Object.freeze({ kind: 'one', target, field: on?.field, targetField: on?.targetField });
  },
  many(target: string, on: { field: string; through?: string; targetField?: string }): ManyRelation {
    return Object.freeze({ kind: 'many', target, field: on?.field, through: on?.through, targetField: on?.targetField });
  },
});
