/**
 * camelCase to snake_case, the default mapping of field names to SQL columns.
 *
 * @example
 * ```ts
 * toSnakeCase('conversationId'); // 'conversation_id'
 * ```
 */
export function toSnakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}
