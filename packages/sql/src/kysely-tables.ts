import type { AnyRepositoryDef, ColumnName, FieldFlags, SnakeCase } from '@chatcore/core';

export type { SnakeCase };

declare const stored: unique symbol;
/** A string column whose text is opaque: `Kind` says what the encryption plugin keeps in it. */
type Opaque<Kind extends string> = string & { readonly [stored]: Kind };

/**
 * A column holding AES-256-GCM ciphertext of a `sensitive()` field (field
 * mode). Opaque: comparing it with a plaintext string does not compile,
 * because it could never match; read records through `db.<repo>.query()`.
 *
 * @example
 * ```ts
 * const people = defineRepository('people', { id: f.id(), email: f.string().sensitive({ searchable: true }) });
 * const k = driver.kysely<{ people: typeof people }>();
 * const row = await k.selectFrom('people').select(['id', 'email']).executeTakeFirstOrThrow();
 * const stored: Ciphertext = row.email; // ciphertext text, not the address
 * ```
 */
export type Ciphertext = Opaque<'ciphertext'>;
/**
 * The `<column>_bidx` column of a searchable sensitive field: a keyed HMAC of
 * the normalised value, base64url. Only the encryption plugin can compute one.
 *
 * @example
 * ```ts
 * const people = defineRepository('people', { id: f.id(), email: f.string().sensitive({ searchable: true }) });
 * const k = driver.kysely<{ people: typeof people }>();
 * const row = await k.selectFrom('people').select(['id', 'email_bidx']).executeTakeFirstOrThrow();
 * const index: BlindIndex = row.email_bidx; // compare with other blind indexes only, never with a value
 * ```
 */
export type BlindIndex = Opaque<'blind-index'>;
/**
 * The `row_auth` column: an HMAC over the id, the version and the row's
 * ciphertexts, checked on every read through the plugins.
 *
 * @example
 * ```ts
 * const people = defineRepository('people', { id: f.id(), ssn: f.string().sensitive() });
 * const k = driver.kysely<{ people: typeof people }>();
 * const row = await k.selectFrom('people').select(['id', 'row_auth']).executeTakeFirstOrThrow();
 * const auth: RowAuthenticatorTag | null = row.row_auth; // null on rows written before authenticators
 * ```
 */
export type RowAuthenticatorTag = Opaque<'row-authenticator'>;
/**
 * The envelope column of a sealed (record-mode) repository: every sealed
 * field in one ciphertext.
 *
 * @example
 * ```ts
 * const notes = defineRepository('notes', { id: f.id(), body: f.text() }, { plugins: { encryption: { seal: true } } });
 * const k = driver.kysely<{ notes: Sealed<typeof notes> }>();
 * const row = await k.selectFrom('notes').select(['id', 'sealed']).executeTakeFirstOrThrow();
 * const envelope: SealedEnvelope = row.sealed;
 * ```
 */
export type SealedEnvelope = Opaque<'sealed-envelope'>;

/**
 * How the row types read a repository's protected fields:
 * `'encrypted'` (default) as the encryption plugin stores them, with its
 * default `rowAuthentication: 'required'` (`'accept-missing'` stores the
 * same columns); `'plaintext'` for a database created without the
 * encryption plugin (`allowPlaintextSensitive`, development only).
 *
 * @example
 * ```ts
 * type Dev = SqlTablesOf<{ users: typeof users }, 'plaintext'>; // users.email: string
 * ```
 */
export type StorageLayout = 'encrypted' | 'plaintext';

declare const sealedMark: unique symbol;
/**
 * A repository stored in record mode (`plugins: { encryption: { seal: true,
 * clear, envelopeField } }`): name it so in the type argument of
 * `kysely()`, since the seal settings are not part of the repository's
 * type. `Clear` lists the fields stored in clear, `Envelope` the envelope
 * field (default `sealed`).
 *
 * @example
 * ```ts
 * const notes = defineRepository('notes', { id: f.id(), conversationId: f.string(), body: f.text() }, {
 *   plugins: { encryption: { seal: true, clear: ['conversationId'] } },
 * });
 * const k = driver.kysely<{ notes: Sealed<typeof notes, 'conversationId'> }>();
 * await k.selectFrom('notes').select(['id', 'conversation_id', 'sealed']).execute();
 * ```
 */
export type Sealed<D extends AnyRepositoryDef, Clear extends keyof D['fields'] & string = never, Envelope extends string = 'sealed'> = D & {
  readonly [sealedMark]: { readonly clear: Clear; readonly envelope: Envelope };
};

type Fields<D extends AnyRepositoryDef> = D['fields'];
type FlagsOf<Fd> = Fd extends { __flags: infer Fl extends FieldFlags } ? Fl : never;
type ValueOf<Fd> = Fd extends { __type: infer T } ? T : never;
type Nullable<Fd, T> = FlagsOf<Fd>['optional'] extends true ? T | null : T;
type Keys<D extends AnyRepositoryDef> = keyof Fields<D> & string;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

type IsSecret<Fd> = FlagsOf<Fd>['secret'] extends true ? true : false;
type IsSensitive<Fd> = FlagsOf<Fd>['sensitive'] extends true ? true : false;
type IsSearchable<Fd> = FlagsOf<Fd>['ops'] extends 'searchable' ? true : false;
type IsManaged<K, Fd> = K extends 'id' ? true : FlagsOf<Fd>['managed'] extends true ? true : false;

type SealInfo<D> = D extends { readonly [sealedMark]: infer S extends { clear: string; envelope: string } } ? S : never;
/** Fields a sealed repository keeps out of its columns (inside the envelope). */
type SealedKeys<D extends AnyRepositoryDef> = {
  [K in Keys<D>]: IsManaged<K, Fields<D>[K]> extends true ? never : IsSecret<Fields<D>[K]> extends true ? never : K extends SealInfo<D>['clear'] ? never : K;
}[Keys<D>];

/** The value columns: plain fields as their types, encrypted ones as Ciphertext; secrets and sealed fields left out. */
type ValueColumns<D extends AnyRepositoryDef, L extends StorageLayout, Out extends string> = {
  [K in Exclude<Keys<D>, Out> as IsSecret<Fields<D>[K]> extends true ? never : ColumnName<K, Fields<D>[K]>]:
    L extends 'encrypted' ? IsSensitive<Fields<D>[K]> extends true ? Nullable<Fields<D>[K], Ciphertext> : Nullable<Fields<D>[K], ValueOf<Fields<D>[K]>>
    : Nullable<Fields<D>[K], ValueOf<Fields<D>[K]>>;
};
/** `<column>_bidx` of every searchable sensitive field. */
type IndexColumns<D extends AnyRepositoryDef> = {
  [K in Keys<D> as IsSensitive<Fields<D>[K]> extends true ? IsSearchable<Fields<D>[K]> extends true ? `${ColumnName<K, Fields<D>[K]>}_bidx` : never : never]: Nullable<Fields<D>[K], BlindIndex>;
};
type HasSensitive<D extends AnyRepositoryDef> = true extends { [K in Keys<D>]: IsSensitive<Fields<D>[K]> }[Keys<D>] ? true : false;

type EncryptedRow<D extends AnyRepositoryDef> = [SealInfo<D>] extends [never]
  ? ValueColumns<D, 'encrypted', never> & IndexColumns<D> & (HasSensitive<D> extends true ? { row_auth: RowAuthenticatorTag | null } : {})
  : ValueColumns<D, 'encrypted', SealedKeys<D>> & IndexColumns<D> & { [E in ColumnName<SealInfo<D>['envelope']>]: SealedEnvelope } & { row_auth: RowAuthenticatorTag | null };

/**
 * The row type of one repository's table as it is stored, by column name:
 * plain fields with their types; with the `'encrypted'` layout (default)
 * `sensitive()` fields as `Ciphertext`, a `<column>_bidx` `BlindIndex` for
 * each searchable one, and `row_auth` when the repository has any; sealed
 * repositories (see `Sealed`) with their envelope column instead of the
 * sealed fields. `secret()` columns are left out: their hashes are nobody's
 * business but `verifySecret`'s.
 *
 * @example
 * ```ts
 * type Row = SqlRowOf<typeof users>; // { id: string; name: string; email: Ciphertext; email_bidx: BlindIndex; row_auth: RowAuthenticatorTag | null; ... }
 * ```
 */
export type SqlRowOf<D extends AnyRepositoryDef, L extends StorageLayout = 'encrypted'> = Simplify<
  L extends 'plaintext' ? ValueColumns<D, 'plaintext', never> : EncryptedRow<D>
>;

/**
 * The Kysely database type for a set of repositories: one table per
 * repository (snake_case of its name), one column per stored column (see
 * `SqlRowOf`).
 *
 * @example
 * ```ts
 * const k = pglite().kysely<{ users: typeof users }>();
 * const rows = await k.selectFrom('users').select(['id', 'name']).execute();
 * ```
 */
export type SqlTablesOf<R extends Readonly<Record<string, AnyRepositoryDef>>, L extends StorageLayout = 'encrypted'> = {
  [K in keyof R as R[K] extends AnyRepositoryDef ? ColumnName<R[K]['name']> : never]: SqlRowOf<R[K], L>;
};
