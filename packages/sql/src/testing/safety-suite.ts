import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '@chatcore/core';
import { suffix, tableChecksum, testRepositories, type SqlSuiteOptions } from './fixtures.js';
import { spiedDatabase } from './spied-database.js';

/**
 * Input that validation rejects never reaches the database: the executor
 * spy sees no statement, and the table's checksum (computed by the server)
 * is unchanged.
 *
 * @example
 * ```ts
 * registerSafetySuite({ name: 'pglite', createExecutor: () => new PgliteExecutor({ client }) }).run();
 * ```
 */
export function registerSafetySuite(options: SqlSuiteOptions) {
  const repos = testRepositories(suffix());
  const s = suite(`${options.name}: rejected input sends nothing`);
  const ctx = spiedDatabase(s, options, repos);
  s.before(async () => {
    await ctx.db.people.createMany([{ name: 'Ada', email: 'ada@x', age: 36 }, { name: 'Grace', email: 'grace@x' }]);
  });

  s('input rejected by validation sends no statement and leaves the table unchanged', async () => {
    const table = repos.people.schema.table;
    const before = await tableChecksum(ctx.spy, table);
    const [ada] = await ctx.db.people.find({ where: { email: 'ada@x' } });
    const bad: Array<[string, () => Promise<unknown>]> = [
      ['injection in a field name', () => ctx.db.people.create({ name: 'x', email: 'e@x', 'name" = 1; drop table people; --': 1 } as never)],
      ['injection in a filter key', () => ctx.db.people.find({ where: { 'email; delete from people': 'x' } as never })],
      ['injection in an orderBy key', () => ctx.db.people.find({ orderBy: { 'id desc; drop table people': 'asc' } as never })],
      ['unknown operator', () => ctx.db.people.deleteMany({ name: { like: '%' } } as never)],
      ['wrong type', () => ctx.db.people.update(ada!.id, { age: 'old' } as never)],
      ['oversized string', () => ctx.db.people.create({ name: 'x'.repeat(101), email: 'big@x' })],
      ['enum outside its values', () => ctx.db.people.create({ name: 'x', email: 'r@x', role: 'root' } as never)],
      ['tampered cursor', () => ctx.db.people.find({ after: 'not-a-cursor', limit: 1 })],
      ['bad limit', () => ctx.db.people.find({ limit: -1 } as never)],
      ['NUL in a JSON value', () => ctx.db.people.update(ada!.id, { prefs: { deep: ['a\u0000b'] } })],
      ['NUL in a JSON key of a batch row', () => ctx.db.people.createMany([{ name: 'ok', email: 'ok@x' }, { name: 'n', email: 'n@x', prefs: { ['k\u0000']: 1 } }])],
      ['one bad row in a batch', () => ctx.db.people.createMany([{ name: 'ok', email: 'ok@x' }, { name: 5, email: 'b@x' } as never])],
    ];
    ctx.spy.statements.length = 0;
    for (const [label, call] of bad) {
      try {
        await call();
        assert.unreachable(`${label}: should have thrown`);
      } catch (err) {
        assert.instance(err, ValidationError, label);
      }
    }
    assert.equal(ctx.spy.statements.map((st) => st.sql), [], 'no statement reached the database');
    assert.is(await tableChecksum(ctx.spy, table), before);
  });

  return s;
}
