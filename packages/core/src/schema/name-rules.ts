// Name rules checked on string literals in the types, mirroring the
// patterns the run time applies to the same names. A name typed as a plain
// `string` passes: only the run-time check can see its value.

type Lower = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h' | 'i' | 'j' | 'k' | 'l' | 'm' | 'n' | 'o' | 'p' | 'q' | 'r' | 's' | 't' | 'u' | 'v' | 'w' | 'x' | 'y' | 'z';
type Letter = Lower | Uppercase<Lower>;
type WordChar = Letter | '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '_';
/** The most characters of an identifier (PostgreSQL truncates longer ones). */
type MaxLength = 63;

/** true when the rest `S` of a name is word characters, `Seen` counting those before it. */
type RestOk<S extends string, Seen extends unknown[]> = S extends `${infer C}${infer R}`
  ? C extends WordChar ? (Seen['length'] extends MaxLength ? false : RestOk<R, [...Seen, 0]>) : false
  : true;

/** true when `S` starts with one of `First` and goes on with word characters, at most 63 in all. */
type IdentifierOk<S extends string, First extends string> = string extends S
  ? true
  : S extends `${infer H}${infer R}` ? (H extends First ? RestOk<R, [0]> : false) : false;

/** No repository name fits this type: its name and its one member say why. */
interface InvalidRepositoryName {
  readonly 'a repository name is letters, digits and _ (at most 63), starting with a letter': never;
}

/**
 * `unknown` when the literal `N` can name a repository (as `defineRepository`
 * checks at run time: letters, digits and _, starting with a letter, at most
 * 63), else a type no name fits, whose member says why. A `string` passes.
 *
 * @example
 * ```ts
 * const named = <const N extends string>(name: N & RepositoryNameRule<N>) => name;
 * named('chatMessages'); // named('chat-messages') does not compile
 * ```
 */
export type RepositoryNameRule<N extends string> = true extends IdentifierOk<N, Letter> ? (false extends IdentifierOk<N, Letter> ? InvalidRepositoryName : unknown) : InvalidRepositoryName;

/** No column name fits this type: its name and its one member say why. */
interface InvalidColumnName {
  readonly 'a column name is letters, digits and _ (at most 63), starting with a letter or _': never;
}

/**
 * `unknown` when the literal `C` can name a column (as `defineRepository`
 * checks at run time with `checkIdentifier`: letters, digits and _,
 * starting with a letter or _, at most 63), else a type no name fits, whose
 * member says why. A `string` passes.
 *
 * @example
 * ```ts
 * const stored = <const C extends string>(name: C & ColumnNameRule<C>) => name;
 * stored('author_id'); // stored('author id') does not compile
 * ```
 */
export type ColumnNameRule<C extends string> = true extends IdentifierOk<C, Letter | '_'> ? (false extends IdentifierOk<C, Letter | '_'> ? InvalidColumnName : unknown) : InvalidColumnName;

/** No table name fits this type: its name and its one member say why. */
interface InvalidTableName {
  readonly 'a table name is letters, digits and _ (at most 63), starting with a letter or _, and not __name__': never;
}

/**
 * `unknown` when the literal `T` can name a table or collection (as
 * `defineRepository` checks at run time: letters, digits and _, starting
 * with a letter or _, at most 63, and not `__name__`, which Firestore
 * reserves), else a type no name fits, whose member says why. A `string`
 * passes.
 *
 * @example
 * ```ts
 * const table = <const T extends string>(name: T & TableNameRule<T>) => name;
 * table('chat_messages'); // table('chat-messages') does not compile
 * ```
 */
export type TableNameRule<T extends string> = true extends (T extends `__${string}__` ? true : false)
  ? InvalidTableName
  : ColumnNameRule<T> extends InvalidColumnName ? InvalidTableName : unknown;

/** No field fits this type: its name and its one member say why. */
interface InvalidFieldName {
  readonly 'a field name is letters, digits and _ (at most 63), starting with a letter, and not constructor or prototype': never;
}

/**
 * What `defineRepository` checks of each field name `K` in the types, as
 * it does at run time (ConfigError): letters, digits and _, starting with
 * a letter, at most 63, and not `constructor` or `prototype` (every record
 * has those). The field under a name that breaks the rule does not compile.
 *
 * @example
 * ```ts
 * const fields = { id: f.id(), displayName: f.string() };
 * const checked: typeof fields & FieldKeyRules<typeof fields> = fields; // a 'display-name' key does not compile
 * ```
 */
export type FieldKeyRules<F> = { readonly [K in keyof F]: FieldKeyRule<K> };

type FieldKeyRule<K> = K extends 'constructor' | 'prototype'
  ? InvalidFieldName
  : K extends string
    ? true extends IdentifierOk<K, Letter> ? (false extends IdentifierOk<K, Letter> ? InvalidFieldName : unknown) : InvalidFieldName
    : InvalidFieldName;
