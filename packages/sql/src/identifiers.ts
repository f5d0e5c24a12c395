import { ConfigError } from '@chatcore/core';

const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * PostgreSQL truncates identifiers beyond 63 bytes (NAMEDATALEN - 1).
 *
 * @example
 * ```ts
 * if (name.length > MAX_IDENTIFIER_LENGTH) throw new ConfigError('name too long');
 * ```
 */
export const MAX_IDENTIFIER_LENGTH = 63;

/**
 * Check a table, column or field name taken from a storage schema before it
 * becomes SQL. Identifiers never come from callers (the repository layer
 * checks field names against the schema); this guards against a plugin or a
 * `column()` override producing something PostgreSQL would truncate or that
 * needs quoting tricks.
 *
 * @example
 * ```ts
 * checkIdentifier('conversation_id', 'users.conversationId column'); // returns the name
 * ```
 */
export function checkIdentifier(name: string, what: string): string {
  if (typeof name !== 'string' || !IDENT_RE.test(name) || name.length > MAX_IDENTIFIER_LENGTH) {
    throw new ConfigError(
      `The ${what} name ${JSON.stringify(name)} cannot be used in SQL: use letters, digits and _, starting with a letter or _, at most ${MAX_IDENTIFIER_LENGTH} characters.`,
    );
  }
  return name;
}

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
