import { ValidationError } from '@chatcore/core';

const PATTERNS: ReadonlyArray<readonly [string, RegExp]> = [
  ['sql_comment', /--|\/\*|\*\/|#\s*$/],
  ['sql_statement', /;\s*(drop|delete|insert|update|select|alter|create|truncate|grant|exec)\b/i],
  ['sql_tautology', /['"`]\s*(or|and)\s+['"`\d(]/i],
  ['sql_union', /\bunion\s+(all\s+)?select\b/i],
  ['sql_function', /\b(pg_sleep|sleep|benchmark|waitfor\s+delay|xp_cmdshell|load_file)\s*\(/i],
  ['sql_quote_break', /^[^'"]*['"`]\s*[;)]/],
  ['operator_key', /(^|[.[\s"'])\$[a-z]{2,}/i],
  ['prototype_pollution', /__proto__|constructor\s*\.\s*prototype|\bprototype\s*\[/],
  ['path_traversal', /\.\.[/\\]/],
  ['control_character', /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/],
];

/**
 * Whether a validation failure looks like an injection attempt (SQL or
 * operator syntax, prototype pollution, path traversal, control characters
 * in field names or rejected values). Returns the names of the patterns
 * found, never the text that matched.
 *
 * @example
 * ```ts
 * detectInjection(new ValidationError([{ path: "name'; DROP TABLE users; --", message: 'unknown field' }])); // ['sql_comment', 'sql_statement', ...]
 * ```
 */
export function detectInjection(error: unknown): string[] {
  if (!(error instanceof ValidationError)) return [];
  const found = new Set<string>();
  for (const issue of error.issues.slice(0, 50)) {
    const texts = [String(issue.path), String(issue.message)];
    for (const [name, re] of PATTERNS) if (texts.some((t) => re.test(t))) found.add(name);
  }
  return [...found];
}
