import type { AnyRepositoryDef } from '../schema/define-repository.js';
import type { FieldFlags } from '../schema/field.js';
import type { ColumnName } from '../schema/column-name.js';

type Fields<D extends AnyRepositoryDef> = D['fields'];
type Keys<D extends AnyRepositoryDef> = keyof Fields<D> & string;
type FlagsOf<Fd> = Fd extends { __flags: infer Fl extends FieldFlags } ? Fl : never;
type IsSecret<Fd> = FlagsOf<Fd>['secret'] extends true ? true : false;
type IsKey<K, Fd> = K extends 'id' ? true : FlagsOf<Fd>['managed'] extends true ? true : false;
type IsIndexed<Fd> = FlagsOf<Fd>['sensitive'] extends true ? FlagsOf<Fd>['ops'] extends 'searchable' ? true : false : false;

/** The column of every field but the secrets: what a field-mode or plaintext row holds. */
type ValueColumn<D extends AnyRepositoryDef> = { [K in Keys<D>]: IsSecret<Fields<D>[K]> extends true ? never : ColumnName<K, Fields<D>[K]> }[Keys<D>];
/** The columns of secret fields: never part of a row read through the plugins. */
type SecretColumn<D extends AnyRepositoryDef> = { [K in Keys<D>]: IsSecret<Fields<D>[K]> extends true ? ColumnName<K, Fields<D>[K]> : never }[Keys<D>];
/** id and the managed fields: columns in every layout, sealed included. */
type KeyColumn<D extends AnyRepositoryDef> = { [K in Keys<D>]: IsKey<K, Fields<D>[K]> extends true ? ColumnName<K, Fields<D>[K]> : never }[Keys<D>];
/** The blind index of each searchable sensitive field (encrypted layouts). */
type IndexColumn<D extends AnyRepositoryDef> = { [K in Keys<D>]: IsIndexed<Fields<D>[K]> extends true ? `${ColumnName<K, Fields<D>[K]>}_bidx` : never }[Keys<D>];

type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never;
type Names<O> = keyof O & string;
/** Missing columns of a field-mode or plaintext row (never when complete). */
type MissingValueColumns<D extends AnyRepositoryDef, O> = Exclude<ValueColumn<D>, Names<O>>;
/**
 * A sealed (record-mode) row: id, the managed and blind-index columns,
 * `row_auth`, and exactly one column chatcore does not know by type, the
 * envelope; the seal settings (clear fields, envelope name) are not part of
 * the repository's type, so the clear columns are checked at run time.
 */
type IsSealedRow<D extends AnyRepositoryDef, O> =
  [Exclude<KeyColumn<D> | IndexColumn<D> | 'row_auth', Names<O>>] extends [never]
    ? Exclude<Names<O>, ValueColumn<D> | IndexColumn<D> | 'row_auth'> extends infer E
      ? [E] extends [never] ? false : IsUnion<E> extends true ? false : true
      : false
    : false;

/**
 * What `Repository.query` requires of a query's row type `O` (Kysely
 * builders declare it): `unknown` when `O` is a whole stored row of the
 * repository `D`, otherwise an object type naming what is wrong, which the
 * builder lacks, so the call does not compile. A row is whole when it has
 * the column of every field but the secrets (field mode, plaintext), or is
 * a sealed row (id, managed and blind-index columns, `row_auth`, the
 * envelope); it never has a secret field's column. Another table's rows or
 * a partial select lack columns. Columns are named as `SqlTablesOf` names
 * them (a `column()` override, else the snake_case of the field name).
 * `any` passes, and so does any query on a repository typed
 * `AnyRepositoryDef` (generic code): those get the run-time check only.
 *
 * @example
 * ```ts
 * const users = defineRepository('users', { id: f.id(), name: f.string(), password: f.string().secret() });
 * type Ok = WholeRows<typeof users, { id: string; name: string }>; // unknown
 * type Slim = WholeRows<typeof users, { id: string }>; // { 'rows lack columns': 'name' }
 * type Secret = WholeRows<typeof users, { id: string; name: string; password: string }>; // { 'rows carry secret columns': 'password' }
 * ```
 */
export type WholeRows<D extends AnyRepositoryDef, O> = 0 extends 1 & O ? unknown
  : 0 extends 1 & Fields<D> ? unknown
  : [Extract<Names<O>, SecretColumn<D>>] extends [never]
    ? [MissingValueColumns<D, O>] extends [never] ? unknown
      : IsSealedRow<D, O> extends true ? unknown
        : { readonly 'rows lack columns': MissingValueColumns<D, O> }
    : { readonly 'rows carry secret columns': Extract<Names<O>, SecretColumn<D>> };
