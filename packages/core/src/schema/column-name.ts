/**
 * camelCase to snake_case at the type level, mirroring `toSnakeCase` for
 * ordinary names (`conversationId` -> `conversation_id`). Names with runs of
 * capitals (`userID`) and a `table` override are not mirrored (declare the
 * table type yourself for those, or give the field a `column()` name, which
 * the row types follow).
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
 * The SQL column of field `K` (declared as `Fd`) at the type level, as the
 * SQL drivers name it: its `column()` override, else the snake_case of its
 * name (also for a name without a field: `ColumnName<'chatMessages'>`). The
 * storage row types (`SqlTablesOf`, `WholeRows`) are built on it.
 *
 * @example
 * ```ts
 * const chats = defineRepository('chats', { id: f.id(), conversationId: f.string(), body: f.text().column('content') });
 * type A = ColumnName<'conversationId', typeof chats.fields.conversationId>; // 'conversation_id'
 * type B = ColumnName<'body', typeof chats.fields.body>; // 'content'
 * ```
 */
export type ColumnName<K extends string, Fd = unknown> = [Fd] extends [{ __flags: { column: infer C extends string } }] ? C : TrimLead<SnakeCase<K>>;
