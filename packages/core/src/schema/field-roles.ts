// The rules of defineRepository that span several fields, in the types: a
// field's role (the record id, the version, createdAt, updatedAt) is held by
// one field only, and a composite unique constraint names no secret field nor
// a field encrypted without a blind index.

/** No field fits this type: its one member says why, in the compiler's message. */
interface NotTheId {
  readonly 'only the field named id can be f.id(): make this field f.string()': never;
}

/** A refusal naming the managed role that two fields hold. */
type TwoOf<R extends string> = { readonly [M in `a repository has one ${R} field: keep one`]: never };

type ManagedRole = 'version' | 'createdAt' | 'updatedAt';
/** The keys of the fields of `F` that hold managed role `R`. */
type KeysAs<F, R> = { [K in keyof F]: F[K] extends { readonly __flags: { readonly managedAs: R } } ? K : never }[keyof F];
/** true when `T` is a union of two or more members. */
type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never;

/** The refusal for field `Fd` of key `K` in fields `F`, or `unknown` when it keeps the rules. */
type RoleRule<F, K, Fd> = K extends 'id'
  ? unknown
  : Fd extends { readonly __flags: { readonly id: true } }
    ? NotTheId
    : Fd extends { readonly __flags: { readonly managedAs: infer R extends ManagedRole } }
      ? true extends IsUnion<KeysAs<F, R>> ? TwoOf<R extends 'version' ? 'f.version()' : `${R}()`> : unknown
      : unknown;

/**
 * What `defineRepository` checks across its fields in the types: `f.id()`
 * is the field named `id` and no other, and at most one field is
 * `f.version()`, one `createdAt()` and one `updatedAt()` (a second one
 * does not compile). Each is a ConfigError at run time too.
 *
 * @example
 * ```ts
 * const fields = { id: f.id(), authorId: f.string() };
 * const checked: typeof fields & FieldRoleRules<typeof fields> = fields;
 * ```
 */
export type FieldRoleRules<F> = { readonly [K in keyof F]: RoleRule<F, K, F[K]> };

/** No field name fits this type: its one member says why, in the compiler's message. */
interface UniqueOverCiphertext {
  readonly 'a unique constraint over an encrypted field needs sensitive({ searchable: true }): uniqueness is kept on its blind index': never;
}

/** No field name fits this type: its one member says why, in the compiler's message. */
interface UniqueOverSecret {
  readonly 'a unique constraint cannot include a secret() field: salted hashes never equal one another, so uniqueness could not hold': never;
}

/** The refusal for each name of unique list `L` that is a field of `F` hashed or encrypted without a blind index, else `unknown`. */
type UniqueListRule<F, L> = {
  readonly [I in keyof L]: L[I] extends keyof F
    ? F[L[I]] extends { readonly __flags: { readonly secret: true } } ? UniqueOverSecret
      : F[L[I]] extends { readonly __flags: { readonly sensitive: true; readonly ops: 'none' } } ? UniqueOverCiphertext
      : unknown
    : unknown;
};

/**
 * What `defineRepository` checks of its composite `unique` constraints in
 * the types: no listed field is `sensitive()` without `searchable: true`
 * (random ciphertexts never collide, so uniqueness could not hold; the
 * blind index keeps it), nor `secret()` (salted hashes never collide
 * either). A ConfigError at run time too.
 *
 * @example
 * ```ts
 * const fields = { id: f.id(), tenant: f.string(), email: f.string().sensitive({ searchable: true }) };
 * const unique = [['tenant', 'email']] as const;
 * const checked: typeof unique & UniqueKeyRules<typeof fields, typeof unique> = unique;
 * ```
 */
export type UniqueKeyRules<F, U> = { readonly [I in keyof U]: UniqueListRule<F, U[I]> };
