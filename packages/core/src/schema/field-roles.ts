// The rules of defineRepository that span several fields, in the types: a
// field's role (the record id) is held by one field only.

/** No field fits this type: its one member says why, in the compiler's message. */
interface NotTheId {
  readonly 'only the field named id can be f.id(): make this field f.string()': never;
}

/** The refusal for field `Fd` of key `K`, or `unknown` when it keeps the rules. */
type RoleRule<K, Fd> = K extends 'id' ? unknown : Fd extends { readonly __flags: { readonly id: true } } ? NotTheId : unknown;

/**
 * What `defineRepository` checks across its fields in the types: `f.id()`
 * is the field named `id` and no other (a second `f.id()` field does not
 * compile). A ConfigError at run time too.
 *
 * @example
 * ```ts
 * const fields = { id: f.id(), authorId: f.string() };
 * const checked: typeof fields & FieldRoleRules<typeof fields> = fields;
 * ```
 */
export type FieldRoleRules<F> = { readonly [K in keyof F]: RoleRule<K, F[K]> };
