import { createHash, randomBytes } from 'node:crypto';
import { defineRepository, f } from '@chatcore/core';
import type { SqlConnection, SqlExecutor, SqlResult, SqlStatement } from '../sql-executor.js';
import { quoteIdent } from '../identifiers.js';

/**
 * How a backend package runs the shared SQL driver tests: a name for the
 * suites and a fresh executor per suite (sharing the backend's client where
 * starting one is slow, as with PGlite).
 *
 * @example
 * ```ts
 * const options: SqlSuiteOptions = { name: 'pglite', createExecutor: () => new PgliteExecutor({ client }) };
 * ```
 */
export interface SqlSuiteOptions {
  readonly name: string;
  createExecutor(): SqlExecutor | Promise<SqlExecutor>;
}

/**
 * A random table suffix, so that suites can share one server.
 *
 * @example
 * ```ts
 * const t = `users_${suffix()}`;
 * ```
 */
export function suffix(): string {
  return randomBytes(4).toString('hex');
}

/**
 * The repositories the SQL suites use, on randomly suffixed tables.
 *
 * @example
 * ```ts
 * const { people, notes } = testRepositories(suffix());
 * ```
 */
export function testRepositories(tag: string) {
  const people = defineRepository('people', {
    id: f.id(),
    name: f.string({ max: 100 }),
    email: f.string().unique(),
    age: f.integer().optional(),
    big: f.bigint().optional(),
    score: f.number().optional(),
    active: f.boolean().default(true),
    role: f.enum(['admin', 'member']).default('member'),
    avatar: f.bytes().optional(),
    prefs: f.json<unknown>().optional(),
    createdAt: f.timestamp().createdAt(),
    version: f.version(),
  }, { table: `people_${tag}`, indexes: [['role', 'createdAt']] });
  const notes = defineRepository('notes', {
    id: f.id(),
    personId: f.string().indexed(),
    body: f.text(),
    tags: f.array(f.string()).default(() => []),
    counts: f.array(f.integer()).optional(),
    at: f.timestamp().optional(),
    version: f.version(),
  }, { table: `notes_${tag}` });
  return { people, notes };
}

/**
 * An executor that records every statement before passing it on: how tests
 * prove that rejected input sent nothing, and that a shape compiled once.
 *
 * @example
 * ```ts
 * const spy = new SpyExecutor(executor);
 * const db = createDatabase({ driver: sqlDriver({ name: 'spy', executor: spy }), repositories: { users } });
 * await db.connect();
 * const sent = spy.statements.length;
 * await db.users.create({ name: 'x'.repeat(500) }).catch(() => undefined); // ValidationError (max: 200)
 * assert.is(spy.statements.length, sent); // nothing was sent
 * ```
 */
export class SpyExecutor implements SqlExecutor {
  readonly statements: SqlStatement[] = [];
  constructor(readonly inner: SqlExecutor) {}
  connect(): Promise<void> {
    return this.inner.connect?.() ?? Promise.resolve();
  }
  execute(statement: SqlStatement): Promise<SqlResult> {
    this.statements.push(statement);
    return this.inner.execute(statement);
  }
  withConnection<T>(fn: (connection: SqlConnection) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.inner.withConnection((conn) =>
      fn({
        execute: (st) => { this.statements.push(st); return conn.execute(st); },
        markBroken: () => conn.markBroken?.(),
      }), signal);
  }
  stats(): Readonly<Record<string, unknown>> {
    return this.inner.stats?.() ?? {};
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * A checksum of a table's whole content, computed by the database.
 *
 * @example
 * ```ts
 * const before = await tableChecksum(executor, 'people_ab12');
 * await db.users.create({ name: 'x'.repeat(500) }).catch(() => undefined); // rejected input
 * assert.is(await tableChecksum(executor, 'people_ab12'), before);
 * ```
 */
export async function tableChecksum(executor: SqlExecutor, table: string): Promise<string> {
  const { rows } = await executor.execute({
    sql: `select count(*)::text as n, coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as h from ${quoteIdent(table)} t`,
    parameters: [],
  });
  return createHash('sha256').update(`${rows[0]?.n}:${rows[0]?.h}`).digest('hex');
}

/**
 * Drop test tables (ignoring ones that do not exist).
 *
 * @example
 * ```ts
 * await dropTables(executor, ['people_ab12', 'notes_ab12']);
 * ```
 */
export async function dropTables(executor: SqlExecutor, tables: readonly string[]): Promise<void> {
  // cascade: a table referenced by another's FOREIGN KEY (`.references()`) drops whatever the order.
  for (const t of tables) await executor.execute({ sql: `drop table if exists ${quoteIdent(t)} cascade`, parameters: [] });
}
