// Table and column names are checked by core's checkIdentifier (one rule for
// every backend); the SQL drivers check every name of a storage schema again.
export { checkIdentifier, MAX_IDENTIFIER_LENGTH } from '@chatcore/core/driver';

/**
 * Quote an already checked identifier for hand-written DDL.
 *
 * @example
 * ```ts
 * quoteIdent('users'); // '"users"'
 * ```
 */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Quote a string literal for DDL that cannot take parameters (CHECK lists).
 *
 * @example
 * ```ts
 * quoteLiteral("it's"); // "'it''s'"
 * ```
 */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
