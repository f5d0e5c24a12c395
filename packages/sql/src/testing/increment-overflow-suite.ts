import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { defineRepository, DriverError, f, ValidationError } from '@chatcore/core';
import { suffix, type SqlSuiteOptions } from './fixtures.js';
import { spiedDatabase } from './spied-database.js';

const INT32_MAX = 2 ** 31 - 1;

function tallies(tag: string) {
  return defineRepository('tallies', {
    id: f.id(),
    count: f.integer().default(0),
    capped: f.integer({ max: 10 }).default(0),
    version: f.version(),
  }, { table: `overflow_tallies_${tag}` });
}

/**
 * How the SQL driver reports an increment past the storage type of a field
 * without declared bounds (a plain `col + $n`, which the database refuses
 * with SQLSTATE 22003 without naming the column): a successful update is
 * one statement; a failed one outside a transaction reads the targeted rows
 * once to name the field; inside a transaction every increment that could
 * have overflowed is named; a 22003 that no increment caused is not one.
 *
 * @example
 * ```ts
 * registerIncrementOverflowSuite({ name: 'pglite', createExecutor: () => new PgliteExecutor({ client }) }).run();
 * ```
 */
export function registerIncrementOverflowSuite(options: SqlSuiteOptions) {
  const repos = { tallies: tallies(suffix()) };
  const s = suite(`${options.name}: increments past the storage type`);
  const ctx = spiedDatabase(s, options, repos);

  s('a successful increment is one statement; a refused one reads the row once, on the failure path, to name the field', async () => {
    const r = await ctx.db.tallies.create({ count: INT32_MAX - 1 });
    ctx.spy.statements.length = 0;
    await ctx.db.tallies.update(r.id, { count: { increment: 1 } });
    assert.is(ctx.spy.statements.length, 1, 'one statement on success');
    ctx.spy.statements.length = 0;
    const e = await ctx.db.tallies.update(r.id, { count: { increment: 1 } }).then(() => undefined, (x: unknown) => x);
    assert.instance(e, ValidationError);
    assert.equal((e as ValidationError).issues, [{ path: 'count.increment', message: 'the result leaves the range of tallies.count' }]);
    assert.is(ctx.spy.statements.length, 2, 'the update, then one read');
    assert.match(ctx.spy.statements[1]!.sql, /^select/);
  });

  s('inside a transaction, which cannot read after the failure, each increment that could have overflowed is named', async () => {
    const r = await ctx.db.tallies.create({ count: INT32_MAX });
    const e = await ctx.db.transaction((tx) => tx.tallies.update(r.id, { count: { increment: 1 }, capped: { increment: 1 } })).then(() => undefined, (x: unknown) => x);
    assert.instance(e, ValidationError);
    // `capped` declares a bound: its check is in the statement, so it is not a suspect.
    assert.equal((e as ValidationError).issues.map((i) => i.path), ['count.increment', 'version.increment']);
    assert.equal(await ctx.db.tallies.get(r.id), r, 'record unchanged');
  });

  s('a 22003 no increment caused (a filter value out of the column type) stays a DriverError', async () => {
    const r = await ctx.db.tallies.create({ count: 1 });
    const where = { kind: 'cmp', field: 'count', op: 'gt', value: 3_000_000_000 } as const;
    const e = await ctx.driver.update(repos.tallies.schema, { where }, { set: {}, increment: { count: 1 } }, {}).then(() => undefined, (x: unknown) => x);
    assert.instance(e, DriverError);
    assert.is((e as DriverError).info.sqlState, '22003');
    assert.equal(await ctx.db.tallies.get(r.id), r, 'record unchanged');
  });

  return s;
}
