import { ValidationError } from '../errors.js';
import type { RowStatement } from '../driver/driver.js';

/**
 * What `Repository.query` accepts: a query builder that compiles to one
 * read statement, such as a Kysely `selectFrom(<table>).selectAll()` query
 * from a SQL driver's `kysely()`. It is compiled, not executed: the
 * repository runs it through the plugins. `O` is the builder's row type
 * (Kysely's `expressionType`), which `query` checks against the
 * repository's stored row (see `WholeRows`).
 *
 * @example
 * ```ts
 * const sql = pglite(); // the database's driver
 * const k = sql.kysely<typeof repositories>();
 * const q = k.selectFrom('users').selectAll().where('age', '>=', 18); // a RowQuery<SqlRowOf<typeof users>>
 * const adults = await db.users.query(q); // User[], through the plugins
 * ```
 */
export interface RowQuery<O = unknown> {
  /** The type of the rows the statement returns; a type-level mark, never read. */
  readonly expressionType?: O | undefined;
  compile(): RowStatement;
}

/**
 * Compile a caller's query builder, checking that it produced a statement.
 *
 * @example
 * ```ts
 * const statement = compileRowQuery('users', pglite().kysely<typeof repositories>().selectFrom('users').selectAll());
 * ```
 */
export function compileRowQuery(repository: string, query: unknown): RowStatement {
  const bad = (message: string) => new ValidationError([{ path: 'query', message }], { context: 'query' });
  if (typeof query !== 'object' || query === null || typeof (query as { compile?: unknown }).compile !== 'function') {
    throw bad(`expected a query builder with compile(), e.g. driver.kysely().selectFrom('${repository}').selectAll()`);
  }
  let statement: Partial<RowStatement> | null;
  try {
    statement = (query as RowQuery).compile();
  } catch (cause) {
    // e.g. Kysely's sql`...` template, which compiles only against an instance: not a select builder anyway.
    throw new ValidationError([{ path: 'query', message: 'compile() failed: pass a query builder that compiles on its own (selectFrom(...))' }], { context: 'query', cause });
  }
  if (!statement || typeof statement.sql !== 'string' || !Array.isArray(statement.parameters)) throw bad('compile() did not return { sql, parameters }');
  return statement as RowStatement;
}
