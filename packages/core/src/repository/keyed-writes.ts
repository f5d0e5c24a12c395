import type { AnyRepositoryDef } from '../schema/define-repository.js';
import type { FieldFlags } from '../schema/field.js';
import type { InsertOf, PatchOf } from '../schema/infer.js';
import type { CallOptions, SecretKeys } from './repository-api.js';

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type FlagsOf<Fd> = Fd extends { __flags: infer Fl extends FieldFlags } ? Fl : never;
type UniqueFieldOf<D extends AnyRepositoryDef> = {
  [K in keyof D['fields']]: FlagsOf<D['fields'][K]>['unique'] extends true ? K : never;
}[keyof D['fields']] & string;
/** Every order of the keys `T`: a composite key may be named in any order. */
type Permutations<T extends string, All extends string = T> = [T] extends [never] ? [] : T extends unknown ? [T, ...Permutations<Exclude<All, T>>] : never;
type EachInAnyOrder<C> = C extends ReadonlyArray<infer K extends string> ? Readonly<Permutations<K>> : never;
type OneField<K> = K extends string ? readonly [K] : never;

/**
 * What `upsert`'s `conflict` may name: the id, one `.unique()` field, or
 * the fields of a composite unique constraint (`unique` of
 * defineRepository's options, in any order).
 *
 * @example
 * ```ts
 * const byHandle: ConflictKeyOf<typeof users> = ['handle'];
 * await db.users.upsert({ name: 'Ada', handle: 'ada' }, { conflict: byHandle });
 * ```
 */
export type ConflictKeyOf<D extends AnyRepositoryDef> =
  | readonly ['id']
  | OneField<UniqueFieldOf<D>>
  | EachInAnyOrder<NonNullable<D['__unique']>[number]>;

/** `T` where the keys `S` may at most be null (where `T` allows null), never hold a value. */
type WithoutSecretValues<T, S extends PropertyKey> = Simplify<
  Omit<T, S> & { -readonly [K in S & keyof T]?: Extract<T[K], null> }
>;

/**
 * A patch that sets no `secret()` field: what `updateMany`, and `upsert` by
 * a key other than the id, accept. A secret's hash is bound to the id of its
 * record, which a patch of records chosen by filter or key does not know;
 * an optional secret can still be cleared (null).
 *
 * @example
 * ```ts
 * const patch: PatchWithoutSecretsOf<typeof users> = { name: 'Ada L.', password: null };
 * await db.users.updateMany({ handle: 'ada' }, patch); // { password: 'p2' } does not compile: use update(id, ...)
 * ```
 */
export type PatchWithoutSecretsOf<D extends AnyRepositoryDef> = WithoutSecretValues<PatchOf<D>, SecretKeys<D>>;

/**
 * An insert that gives no `secret()` field a value: the input an `upsert`
 * by a key other than the id may take without an explicit `update` (its
 * default update is the input's non-key fields, so a secret in the input
 * would have to be written to a record known only by its key).
 *
 * @example
 * ```ts
 * const input: InsertWithoutSecretsOf<typeof users> = { name: 'Ada', handle: 'ada' };
 * await db.users.upsert(input, { conflict: ['handle'] });
 * ```
 */
export type InsertWithoutSecretsOf<D extends AnyRepositoryDef> = WithoutSecretValues<InsertOf<D>, SecretKeys<D>>;

/**
 * Options of an upsert keyed on the id (`conflict` left out or `['id']`):
 * the record is known by id, so both the input and `update` may set
 * `secret()` fields.
 *
 * @example
 * ```ts
 * const options: UpsertByIdOptions<typeof users> = { update: { password: 'n3w-secret' } };
 * await db.users.upsert({ id: userId, name: 'Ada', password: 'n3w-secret' }, options);
 * ```
 */
export interface UpsertByIdOptions<D extends AnyRepositoryDef> extends CallOptions {
  /** The id identifies the existing record (the default). */
  readonly conflict?: readonly ['id'];
  /** Patch applied to the existing record (default: the input's fields but id). */
  readonly update?: PatchOf<D>;
}

/**
 * Options of an upsert keyed on unique fields: `update` sets no `secret()`
 * field (the hash is bound to the record's id, unknown until the row is
 * found). An input that sets a secret needs such an explicit `update`: the
 * secret is then written when the upsert inserts, and left as it is when it
 * updates.
 *
 * @example
 * ```ts
 * const options: UpsertByKeyOptions<typeof users> = { conflict: ['handle'] };
 * await db.users.upsert({ name: 'Ada L.', handle: 'ada' }, options);
 * // with a secret in the input, `update` is required (written inline, or typed with `update` required):
 * await db.users.upsert({ name: 'Ada L.', handle: 'ada', password: 'initial-secret' }, { conflict: ['handle'], update: { name: 'Ada L.' } });
 * ```
 */
export interface UpsertByKeyOptions<D extends AnyRepositoryDef> extends CallOptions {
  /** The unique key that identifies an existing record: a `.unique()` field or a composite unique constraint. */
  readonly conflict: ConflictKeyOf<D>;
  /** Patch applied to the existing record (default: the input's non-key fields). */
  readonly update?: PatchWithoutSecretsOf<D>;
}

/**
 * Options of upsert: keyed on the id (the default) or on unique fields.
 *
 * @example
 * ```ts
 * const options: UpsertOptions<typeof users> = { conflict: ['handle'], update: { name: 'Ada L.' } };
 * await db.users.upsert({ name: 'Ada L.', handle: 'ada' }, options);
 * ```
 */
export type UpsertOptions<D extends AnyRepositoryDef> = UpsertByIdOptions<D> | UpsertByKeyOptions<D>;
