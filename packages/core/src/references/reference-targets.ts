// The rule of createDatabase that spans repositories, in the types: each
// `.references(name)` names a repository of the database, by the name given
// to defineRepository (as the run-time check, referenceRules, reads it).

/** The names given to defineRepository of the repositories of `R`. */
type NamesOf<R> = { [K in keyof R]: R[K] extends { readonly name: infer N extends string } ? N : never }[keyof R];

/** The references of fields `F` (of repository `RN`) to a name that is not in `Names`, as `repository.field -> name`. */
type MissingIn<F, RN extends string, Names> = {
  [P in keyof F]: F[P] extends { readonly __flags: { readonly referencesTo: infer T extends string } }
    ? string extends T ? never : T extends Names ? never : `${RN}.${P & string} -> ${T}`
    : never;
}[keyof F];

/** Every reference of the repositories `R` to a repository that `R` lacks. */
type MissingTargets<R> = {
  [K in keyof R]: R[K] extends { readonly name: infer RN extends string; readonly fields: infer F } ? MissingIn<F, RN, NamesOf<R>> : never;
}[keyof R];

/**
 * What `createDatabase` and `createStack` check of their repositories in
 * the types: every `.references(name)` names one of them, by the name
 * given to defineRepository (not a key of `repositories`). `unknown` when
 * each does; otherwise a member the map lacks, naming each reference as
 * `repository.field -> name`. A ConfigError at run time too.
 *
 * @example
 * ```ts
 * const chats = defineRepository('chats', { id: f.id(), title: f.string() });
 * const lines = defineRepository('lines', { id: f.id(), chatId: f.string().references('chats') });
 * const repositories = { chats, lines };
 * const checked: typeof repositories & ReferenceTargetRules<typeof repositories> = repositories; // { lines } alone does not compile
 * ```
 */
export type ReferenceTargetRules<R> = [MissingTargets<R>] extends [never]
  ? unknown
  : { readonly 'references to repositories this database does not have (name them as defineRepository does)': MissingTargets<R> };
