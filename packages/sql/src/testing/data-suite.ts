import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConflictError, DriverError, TransactionError, UniqueViolationError, ValidationError } from '@chatcore/core';
import { suffix, testRepositories, type SqlSuiteOptions } from './fixtures.js';
import { spiedDatabase } from './spied-database.js';

/**
 * Data behaviour every SQL backend must show, through `createDatabase` as a
 * user calls it: storage types round-trip, null semantics of filters and
 * ordering, keyset paging, unique violations, optimistic locking, upsert,
 * transactions and savepoints, prepared shapes. Returns the uvu suite; the
 * test file calls `.run()`.
 *
 * @example
 * ```ts
 * registerDataSuite({ name: 'pglite', createExecutor: () => new PgliteExecutor({ client }) }).run();
 * ```
 */
export function registerDataSuite(options: SqlSuiteOptions) {
  const tag = suffix();
  const repos = testRepositories(tag);
  const s = suite(`${options.name}: data`);
  const ctx = spiedDatabase(s, options, repos);

  s('every storage type round-trips with its JS type', async () => {
    const avatar = new Uint8Array([0, 1, 254, 255]);
    const created = await ctx.db.people.create({
      name: 'Ada', email: 'ada@example.com', age: 36, big: 9007199254740993n, score: 0.1 + 0.2,
      avatar, prefs: ['a', { nested: [1, null, true] }],
    });
    const got = await ctx.db.people.get(created.id);
    assert.ok(got);
    assert.is(got.big, 9007199254740993n);
    assert.is(typeof got.big, 'bigint');
    assert.is(got.score, 0.1 + 0.2);
    assert.instance(got.createdAt, Date);
    assert.is(got.createdAt.getTime(), created.createdAt.getTime());
    assert.equal(got.avatar, avatar);
    assert.is(got.avatar!.constructor, Uint8Array);
    assert.equal(got.prefs, ['a', { nested: [1, null, true] }]);
    assert.is(got.role, 'member');
    assert.is(got.active, true);
    assert.is(got.version, 1);
    const str = await ctx.db.people.update(created.id, { prefs: 'just a string' });
    assert.is(str.prefs, 'just a string');
    const note = await ctx.db.notes.create({ personId: created.id, body: 'hello', tags: ['x', 'y,z', 'q"uote'], counts: [1, 2, 3], at: new Date(5) });
    assert.equal((await ctx.db.notes.get(note.id))!.tags, ['x', 'y,z', 'q"uote']);
    assert.equal((await ctx.db.notes.get(note.id))!.counts, [1, 2, 3]);
  });

  s('ne, notIn and negated startsWith never match null; startsWith treats % and _ literally', async () => {
    const [a, b, c] = await ctx.db.people.createMany([
      { name: '50%_off', email: 'ne1@x', age: 1 },
      { name: '50 cents', email: 'ne2@x', age: null },
      { name: '50x_off', email: 'ne3@x', age: 3 },
    ]);
    const ids = [a!.id, b!.id, c!.id];
    const ages = async (where: object) =>
      (await ctx.db.people.find({ where: { id: { in: ids }, ...where } as never, orderBy: { email: 'asc' } })).map((p) => p.email);
    assert.equal(await ages({ age: { ne: 1 } }), ['ne3@x']);
    assert.equal(await ages({ age: { notIn: [3] } }), ['ne1@x']);
    assert.equal(await ages({ name: { startsWith: '50%' } }), ['ne1@x']);
    assert.equal(await ages({ name: { startsWith: '50_' } }), []);
    assert.equal(await ages({ age: { isNull: true } }), ['ne2@x']);
  });

  s('nulls sort first ascending and last descending; keyset pages cover every row once', async () => {
    const rows = await ctx.db.notes.createMany(
      Array.from({ length: 23 }, (_, i) => ({ personId: 'order', body: `b${i}`, at: i % 4 === 0 ? null : new Date(1000 * (i % 5)) })),
    );
    const asc = await ctx.db.notes.find({ where: { personId: 'order' }, orderBy: { at: 'asc' } });
    assert.is(asc[0]!.at, null);
    assert.ok(asc.at(-1)!.at !== null);
    const desc = await ctx.db.notes.find({ where: { personId: 'order' }, orderBy: { at: 'desc' } });
    assert.is(desc.at(-1)!.at, null);
    assert.ok(desc[0]!.at !== null);
    for (const direction of ['asc', 'desc'] as const) {
      const seen: string[] = [];
      let after: string | undefined;
      for (let guard = 0; guard < 20; guard++) {
        const page = await ctx.db.notes.findPage({ where: { personId: 'order' }, orderBy: { at: direction }, limit: 4, ...(after ? { after } : {}) });
        seen.push(...page.items.map((r) => r.id));
        if (!page.nextCursor) break;
        after = page.nextCursor;
      }
      const full = (direction === 'asc' ? asc : desc).map((r) => r.id);
      assert.equal(seen, full, `paging ${direction} matches the full order`);
      assert.is(new Set(seen).size, rows.length);
    }
  });

  s('a duplicate unique value raises UniqueViolationError naming the field, and writes nothing', async () => {
    await ctx.db.people.create({ name: 'U', email: 'dup@x' });
    const before = await ctx.db.people.count();
    try {
      await ctx.db.people.createMany([{ name: 'V', email: 'fresh@x' }, { name: 'W', email: 'dup@x' }]);
      assert.unreachable('should have thrown');
    } catch (err) {
      assert.instance(err, UniqueViolationError);
      assert.equal((err as UniqueViolationError).info.fields, ['email']);
      assert.not.match((err as Error).message, 'dup@x');
    }
    assert.is(await ctx.db.people.count(), before);
  });

  s('update with a stale version raises ConflictError; increments are atomic', async () => {
    const p = await ctx.db.people.create({ name: 'V', email: 'ver@x', age: 10 });
    const next = await ctx.db.people.update(p.id, { age: { increment: 5 } }, { expectedVersion: 1 });
    assert.is(next.age, 15);
    assert.is(next.version, 2);
    try {
      await ctx.db.people.update(p.id, { name: 'stale' }, { expectedVersion: 1 });
      assert.unreachable('should have thrown');
    } catch (err) {
      assert.instance(err, ConflictError);
    }
    await Promise.all(Array.from({ length: 10 }, () => ctx.db.people.update(p.id, { big: { increment: 1n } })));
    await Promise.all(Array.from({ length: 10 }, () => ctx.db.people.update(p.id, { age: { increment: 1 } })));
    const final = await ctx.db.people.get(p.id);
    assert.is(final!.age, 25);
    assert.is(final!.name, 'V');
  });

  s('an increment that overflows an integer column is a ValidationError naming the field, and the row is unchanged', async () => {
    const p = await ctx.db.people.create({ name: 'Max', email: 'max@x', age: 2147483000 });
    try {
      await ctx.db.people.update(p.id, { age: { increment: 1000 } });
      assert.unreachable('should have thrown');
    } catch (err) {
      assert.instance(err, ValidationError);
      assert.equal((err as ValidationError).issues.map((i) => i.path), ['age.increment']);
    }
    assert.is((await ctx.db.people.get(p.id))!.age, 2147483000);
  });

  s('a sum that overflows a double is a DriverError about the read, not about a write', async () => {
    const rows = await ctx.db.people.createMany([{ name: 'Huge', email: 'huge1@x', score: 1e308 }, { name: 'Huge', email: 'huge2@x', score: 1e308 }]);
    const where = { email: { in: ['huge1@x', 'huge2@x'] } };
    try {
      await ctx.db.people.aggregate({ where, sum: ['score'] });
      assert.unreachable('should have thrown');
    } catch (err) {
      assert.instance(err, DriverError);
      assert.match((err as Error).message, 'The sum of score over the matching records is out of range of a double');
      assert.not.match((err as Error).message, 'written');
      assert.is((err as DriverError).info.sqlState, '22003');
    } finally {
      await ctx.db.people.deleteMany({ id: { in: rows.map((r) => r.id) } });
    }
  });

  s('upsert inserts, then updates the existing row on a unique field', async () => {
    const first = await ctx.db.people.upsert({ name: 'First', email: 'up@x' }, { conflict: ['email'] });
    const second = await ctx.db.people.upsert({ name: 'Second', email: 'up@x' }, { conflict: ['email'] });
    assert.is(second.id, first.id);
    assert.is(second.name, 'Second');
    assert.is(second.version, 2);
    assert.is(await ctx.db.people.count({ email: 'up@x' }), 1);
  });

  s('a transaction commits together or not at all; a failed savepoint rolls back alone', async () => {
    await ctx.db.transaction(async (tx) => {
      await tx.people.create({ name: 'T1', email: 'tx1@x' });
      await tx.transaction(async (inner) => {
        await inner.people.create({ name: 'T2', email: 'tx2@x' });
        throw new Error('undo the inner part');
      }).catch(() => undefined);
    });
    assert.is(await ctx.db.people.count({ email: 'tx1@x' }), 1);
    assert.is(await ctx.db.people.count({ email: 'tx2@x' }), 0);
    await ctx.db.transaction(async (tx) => {
      await tx.people.create({ name: 'T3', email: 'tx3@x' });
      throw new Error('abort');
    }, { isolation: 'serializable' }).catch(() => undefined);
    assert.is(await ctx.db.people.count({ email: 'tx3@x' }), 0);
  });

  s('a failed statement whose error is caught inside a transaction makes the commit fail, not silently roll back', async () => {
    await ctx.db.people.create({ name: 'X', email: 'caught@x' });
    try {
      await ctx.db.transaction(async (tx) => {
        await tx.people.create({ name: 'Y', email: 'caught2@x' });
        await tx.people.create({ name: 'Z', email: 'caught@x' }).catch(() => undefined);
      });
      assert.unreachable('should have thrown');
    } catch (err) {
      assert.instance(err, TransactionError);
    }
    assert.is(await ctx.db.people.count({ email: 'caught2@x' }), 0);
  });

  s('a query shape compiles once: later calls reuse the statement text, values only as parameters', async () => {
    ctx.spy.statements.length = 0;
    const marker = "x' or '1'='1";
    for (const name of ['a', 'b', marker]) await ctx.db.people.find({ where: { name, age: { gte: 3 } }, orderBy: { createdAt: 'desc' }, limit: 5 });
    const texts = new Set(ctx.spy.statements.map((st) => st.sql));
    assert.is(texts.size, 1);
    assert.is(ctx.spy.statements.length, 3);
    assert.ok(ctx.spy.statements[0]!.name, 'repeated shapes carry a statement name');
    assert.not.ok([...texts][0]!.includes(marker));
    assert.ok(ctx.spy.statements[2]!.parameters.includes(marker));
  });

  s('deleteMany and updateMany by filter report what they touched', async () => {
    await ctx.db.notes.createMany([{ personId: 'bulk', body: '1' }, { personId: 'bulk', body: '2' }, { personId: 'other', body: '3' }]);
    assert.is(await ctx.db.notes.updateMany({ personId: 'bulk' }, { body: 'changed' }), 2);
    assert.is(await ctx.db.notes.count({ body: 'changed' }), 2);
    assert.is(await ctx.db.notes.deleteMany({ personId: 'bulk' }), 2);
    assert.is(await ctx.db.notes.count({ personId: 'bulk' }), 0);
    assert.is(await ctx.db.notes.count({ personId: 'other' }), 1);
  });

  s('integer and bigint averages are the double nearest the exact mean, also as a sort key of groups', async () => {
    const big = 2n ** 53n + 1n;
    await ctx.db.people.createMany([
      ...[1, 2, 3].map((i) => ({ name: 'avg-a', email: `avg-a${i}@example.com`, big, age: i === 1 ? 2147483647 : 1 })),
      ...[1, 2].map((i) => ({ name: 'avg-b', email: `avg-b${i}@example.com`, big: 1n, age: 2 })),
    ]);
    const groups = await ctx.db.people.aggregate({ where: { name: { startsWith: 'avg-' } }, groupBy: ['name'], avg: ['big', 'age'], orderBy: { avg: { age: 'desc' } } });
    // 3 * (2^53 + 1) / 3: PostgreSQL's numeric avg read as a double gave this too, but a sum converted first would not.
    assert.equal(groups.map((g) => [g.group.name, g.avg.big, g.avg.age]), [['avg-a', 9007199254740992, 715827883], ['avg-b', 1, 2]]);
    const [ints] = await ctx.db.people.aggregate({ where: { name: 'avg-a' }, avg: ['age'] });
    assert.is(ints!.avg.age, 715827883);
  });

  s('the Kysely escape hatch reads the same tables over the same connections', async () => {
    const k = ctx.driver.kysely();
    const rows = await k.selectFrom(repos.people.schema.table as never).select('email' as never).where('email' as never, '=', 'ada@example.com' as never).execute();
    assert.equal(rows, [{ email: 'ada@example.com' }]);
    const [typed] = await k.selectFrom(repos.people.schema.table as never).select(['big', 'created_at'] as never).where('email' as never, '=', 'ada@example.com' as never).execute() as Array<{ big: unknown; created_at: unknown }>;
    assert.is(typed!.big, 9007199254740993n, 'bigint columns come back as bigint, as the row types say');
    assert.instance(typed!.created_at, Date);
    const health = await ctx.db.health();
    assert.is(health.status, 'up');
  });

  s('escape-hatch transactions commit and roll back on their own connection', async () => {
    const k = ctx.driver.kysely();
    const table = repos.notes.schema.table as never;
    const row = (id: string) => ({ id, person_id: 'hatch', body: 'b', tags: [], counts: null, at: null, version: 1 }) as never;
    await k.transaction().execute(async (trx) => { await trx.insertInto(table).values(row('h1')).execute(); });
    await k.transaction().execute(async (trx) => {
      await trx.insertInto(table).values(row('h2')).execute();
      throw new Error('roll back');
    }).catch(() => undefined);
    assert.equal((await ctx.db.notes.find({ where: { personId: 'hatch' } })).map((n) => n.id), ['h1']);
  });

  return s;
}
