import { ConfigError } from '../errors.js';

const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * The most characters of a table or column name: PostgreSQL truncates
 * identifiers beyond 63 bytes (NAMEDATALEN - 1).
 *
 * @example
 * ```ts
 * const column = `${'x'.repeat(MAX_IDENTIFIER_LENGTH)}_bidx`; // too long: checkIdentifier refuses it
 * ```
 */
export const MAX_IDENTIFIER_LENGTH = 63;

/**
 * Check a table or column name of a storage schema: letters, digits and _,
 * starting with a letter or _, at most 63 characters, so that every backend
 * can take it as it is (PostgreSQL would truncate a longer one; anything
 * else needs quoting tricks). `defineRepository` checks each column with
 * it, and the SQL drivers check every name of a storage schema again before
 * it becomes SQL (a plugin's `extendSchema` may add names). Returns the name;
 * throws ConfigError naming `what`.
 *
 * @example
 * ```ts
 * checkIdentifier('conversation_id', 'column of messages.conversationId'); // returns the name
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
