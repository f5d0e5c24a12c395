import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Driver } from '../driver/driver.js';
import type { DriverCapabilities } from '../driver/capabilities.js';
import type { Database, RepositoryMap } from '../database/database-api.js';
import { createDatabase } from '../database/create-database.js';
import { ChatcoreError, type ErrorCode } from '../errors.js';
import type { Plugin } from '../plugin/plugin.js';
import type { Relations } from '../relations/define-relations.js';
import { sameValue, show, type Rec } from './reference.js';

/**
 * Options of `runConformanceSuite`.
 *
 * @example
 * ```ts
 * const options: ConformanceOptions = {
 *   name: 'postgres',
 *   createDriver: () => postgres({ url: 'postgres://postgres@127.0.0.1:5432/test' }),
 *   only: ['keyset paging'], // while debugging one group
 * };
 * await runConformanceSuite(options);
 * ```
 */
export interface ConformanceOptions {
  /** Shown in the suite names, e.g. `postgres`. */
  readonly name: string;
  /** Makes a new, unconnected driver. Called once per test group (and once up front to read the capabilities). */
  readonly createDriver: () => Driver | Promise<Driver>;
  /** Extra clean-up after `db.close()` has closed the driver (e.g. stop an embedded server). */
  readonly closeDriver?: (driver: Driver) => Promise<void>;
  /** Run only the groups whose title contains one of these strings (for debugging a driver). */
  readonly only?: readonly string[];
}

/**
 * What a test of one group receives: the connected database and its driver.
 *
 * @example
 * ```ts
 * async function seed({ db }: GroupEnv<{ users: typeof users }>) {
 *   await db.users.createMany([{ name: 'a' }, { name: 'b' }]);
 * }
 * ```
 */
export interface GroupEnv<R extends RepositoryMap> {
  readonly db: Database<R>;
  readonly driver: Driver;
}

type TestFn<R extends RepositoryMap> = (name: string, fn: (env: GroupEnv<R>) => Promise<void>) => void;

/**
 * Shared set-up of the conformance groups: random table names (so the suite
 * can run against a shared server), one database per group opened on first
 * use, and its closing.
 *
 * @example
 * ```ts
 * h.group('crud', { items: itemsRepository(h.table('crud')) }, (test) => {
 *   test('create works', async ({ db }) => { await db.items.create({ name: 'a' }); });
 * });
 * ```
 */
export class Harness {
  readonly runId = randomBytes(4).toString('hex');

  constructor(
    readonly options: ConformanceOptions,
    readonly capabilities: DriverCapabilities,
  ) {}

  /** A table name private to this run. */
  table(base: string): string {
    return `cf_${base}_${this.runId}`;
  }

  /**
   * Register one uvu suite: `register` adds tests, each receiving the
   * group's database (opened once, lazily, so a failure to open shows as
   * failing tests instead of a silently swallowed hook error). `plugins`
   * go to createDatabase (e.g. a spy that sees what reaches the driver),
   * and so do `relations` (the relations group casts `db` to its typed form).
   */
  group<R extends RepositoryMap>(title: string, repositories: R, register: (test: TestFn<R>) => void, plugins: readonly Plugin[] = [], relations?: Relations<R, unknown>): void {
    if (this.options.only && !this.options.only.some((o) => title.includes(o))) return;
    const s = suite(`${this.options.name}: ${title}`);
    let opening: Promise<GroupEnv<R>> | undefined;
    const open = async (): Promise<GroupEnv<R>> => {
      const driver = await this.options.createDriver();
      const db: Database<R> = createDatabase({ driver, repositories, plugins: [...plugins], relations: relations as Relations<R> | undefined });
      await db.connect();
      return { db, driver };
    };
    register((name, fn) => {
      s(name, async () => {
        opening ??= open();
        await fn(await opening);
      });
    });
    s.after(async () => {
      if (!opening) return;
      const env = await opening.catch(() => undefined);
      if (!env) return;
      try {
        for (const key of Object.keys(repositories)) await (env.db as unknown as Record<string, { deleteMany(w: object): Promise<number> }>)[key]!.deleteMany({});
      } finally {
        await env.db.close();
        await this.options.closeDriver?.(env.driver);
      }
    });
    s.run();
  }
}

/**
 * Assert that `fn` rejects with a chatcore error of `code` (and, optionally, an instance of `type`).
 *
 * @example
 * ```ts
 * await rejectsWith(() => db.items.update(id, p, { expectedVersion: 1 }), 'CONFLICT');
 * ```
 */
export async function rejectsWith(fn: () => Promise<unknown>, code: ErrorCode, what = ''): Promise<ChatcoreError> {
  try {
    await fn();
  } catch (error) {
    if (!(error instanceof ChatcoreError) || error.code !== code) {
      assert.unreachable(`${what}: expected a ${code} error, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    }
    return error as ChatcoreError;
  }
  assert.unreachable(`${what}: expected a ${code} error, but the call succeeded`);
  throw new Error('unreachable');
}

/**
 * Assert deep, typed equality (see `sameValue`).
 *
 * @example
 * ```ts
 * same(row.big, 2n ** 60n, 'bigint round trip');
 * ```
 */
export function same(actual: unknown, expected: unknown, message: string): void {
  if (!sameValue(actual, expected)) assert.unreachable(`${message}: expected ${show(expected)}, got ${show(actual)}`);
}

/**
 * Ids of records, in order.
 *
 * @example
 * ```ts
 * assert.equal(ids(await db.items.find()), expectedIds);
 * ```
 */
export function ids(rows: readonly Rec[]): string[] {
  return rows.map((r) => r.id as string);
}

/**
 * Ids of records, sorted (for comparing sets).
 *
 * @example
 * ```ts
 * assert.equal(idSet(found), idSet(expected));
 * ```
 */
export function idSet(rows: readonly Rec[]): string[] {
  return ids(rows).sort();
}

/**
 * Collect what `source` yields, failing as soon as it yields more than
 * `max` items: a driver whose cursor does not advance (inclusive, or
 * ignored) makes `iterate` repeat rows forever, and the test must fail
 * instead of hanging.
 *
 * @example
 * ```ts
 * const all = await collectAtMost(db.items.iterate({ where: { tag } }, { pageSize: 1 }), made.length, 'iterate');
 * ```
 */
export async function collectAtMost<T>(source: AsyncIterable<T>, max: number, what: string): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) {
    if (out.length === max) assert.unreachable(`${what}: yielded more than the ${max} matching records (does the cursor advance?)`);
    out.push(item);
  }
  return out;
}
