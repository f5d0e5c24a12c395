import type { AnyRepositoryDef, RecordOf } from '@chatcore/core';

/**
 * camelCase to snake_case at the type level, mirroring `toSnakeCase` for
 * ordinary names (`conversationId` -> `conversation_id`). Names with runs of
 * capitals (`userID`) or a `column()` / `table` override are not mirrored:
 * declare the table type yourself for those.
 *
 * @example
 * ```ts
 * type C = SnakeCase<'conversationId'>; // 'conversation_id'
 * ```
 */
export type SnakeCase<S extends string> = S extends `${infer H}${infer T}`
  ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${SnakeCase<T>}`
  : S;

type TrimLead<S extends string> = S extends `_${infer R}` ? R : S;

/**
 * The row type of one repository's table, by column name.
 *
 * @example
 * ```ts
 * type Row = SqlRowOf<typeof messages>; // { id: string; conversation_id: string; created_at: Date; ... }
 * ```
 */
export type SqlRowOf<D extends AnyRepositoryDef> = {
  [K in keyof RecordOf<D> & string as TrimLead<SnakeCase<K>>]: RecordOf<D>[K];
};

/**
 * The Kysely database type for a set of repositories: one table per
 * repository (snake_case of its name), one column per readable field.
 *
 * @example
 * ```ts
 * const k = pglite().kysely<{ users: typeof users }>();
 * const rows = await k.selectFrom('users').select(['id', 'name']).execute();
 * ```
 */
export type SqlTablesOf<R extends Readonly<Record<string, AnyRepositoryDef>>> = {
  [K in keyof R as R[K] extends AnyRepositoryDef ? TrimLead<SnakeCase<R[K]['name']>> : never]: SqlRowOf<R[K]>;
};
