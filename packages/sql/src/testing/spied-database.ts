import type { Test } from 'uvu';
import { createDatabase, type Database, type RepositoryMap } from '@chatcore/core';
import { SqlDriver } from '../sql-driver.js';
import { dropTables, SpyExecutor, type SqlSuiteOptions } from './fixtures.js';

/**
 * What a suite's tests use: the executor spy (statements sent), the SQL
 * driver over it, and the database of the suite's repositories.
 *
 * @example
 * ```ts
 * const ctx: SpiedDatabase<typeof repos> = spiedDatabase(s, options, repos);
 * ```
 */
export interface SpiedDatabase<R extends RepositoryMap> {
  spy: SpyExecutor;
  driver: SqlDriver;
  db: Database<R>;
}

/**
 * Register on suite `s` the opening of a database of `repos` over a fresh
 * executor of the backend behind a SpyExecutor (connected before the first
 * test) and its closing after the last, with every repository's table
 * dropped. The returned object is filled in when the suite starts.
 *
 * @example
 * ```ts
 * const ctx = spiedDatabase(s, options, testRepositories(suffix()));
 * s('create', async () => { await ctx.db.people.create({ name: 'Ada', email: 'ada@x' }); });
 * ```
 */
export function spiedDatabase<R extends RepositoryMap>(s: Test, options: SqlSuiteOptions, repos: R): SpiedDatabase<R> {
  const ctx = {} as SpiedDatabase<R>;
  s.before(async () => {
    ctx.spy = new SpyExecutor(await options.createExecutor());
    ctx.driver = new SqlDriver({ name: options.name, executor: ctx.spy });
    ctx.db = createDatabase({ driver: ctx.driver, repositories: repos });
    await ctx.db.connect();
  });
  s.after(async () => {
    await dropTables(ctx.spy, Object.values(repos).map((r) => r.schema.table));
    await ctx.db.close();
  });
  return ctx;
}

/**
 * What a schema suite's tests use: the executor spy, the SQL driver over it
 * (no repositories), and the tables the tests create, dropped after the
 * last test.
 *
 * @example
 * ```ts
 * const ctx: SpiedDriver = spiedDriver(s, options);
 * ```
 */
export interface SpiedDriver {
  spy: SpyExecutor;
  driver: SqlDriver;
  /** Push every table a test creates: they are dropped (cascade) after the suite. */
  readonly tables: string[];
}

/**
 * Register on suite `s` a connected SqlDriver over a fresh executor of the
 * backend behind a SpyExecutor, and its closing after the last test with
 * every table listed in `tables` dropped. The returned object is filled in
 * when the suite starts.
 *
 * @example
 * ```ts
 * const ctx = spiedDriver(s, options);
 * s('ensureSchema', async () => { ctx.tables.push('t1'); await ctx.driver.ensureSchema([schemaOf('t1')], { mode: 'apply' }); });
 * ```
 */
export function spiedDriver(s: Test, options: SqlSuiteOptions): SpiedDriver {
  const ctx = { tables: [] as string[] } as unknown as SpiedDriver;
  s.before(async () => {
    ctx.spy = new SpyExecutor(await options.createExecutor());
    ctx.driver = new SqlDriver({ name: options.name, executor: ctx.spy });
    await ctx.driver.connect();
  });
  s.after(async () => {
    await dropTables(ctx.spy, ctx.tables);
    await ctx.driver.close();
  });
  return ctx;
}
