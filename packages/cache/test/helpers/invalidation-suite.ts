import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CachePlugin } from '../../src/index.js';
import type { Driver } from '@chatcore/core/driver';
import { instrument, openDb, type Instrumented } from './fixtures.js';

type Db = Awaited<ReturnType<typeof openDb>>;

/**
 * The invalidation behaviours every tier set-up must show: after each kind of
 * write, get/find/count return the new state; a rolled-back transaction
 * leaves the cache as it was.
 */
export function invalidationSuite(name: string, makePlugin: () => CachePlugin, makeDriver?: () => Driver): void {
  const s = suite<{ db: Db; c: CachePlugin; ins: Instrumented }>(name);

  s.before.each(async (ctx) => {
    ctx.ins = instrument(makeDriver?.());
    ctx.c = makePlugin();
    ctx.db = await openDb([ctx.c], ctx.ins.driver);
  });
  s.after.each(async (ctx) => {
    // Tables outlive a test on a server: leave them empty for the next one.
    await ctx.db.users.deleteMany({});
    await ctx.db.notes.deleteMany({});
    await ctx.c.clear();
    await ctx.db.close();
  });

  s('get after update returns the new state, and the next get is cached again', async ({ db, ins }) => {
    const u = await db.users.create({ name: 'Ada', age: 1 });
    assert.is((await db.users.get(u.id))!.name, 'Ada');
    await db.users.update(u.id, { name: 'Grace' });
    assert.is((await db.users.get(u.id))!.name, 'Grace');
    const before = ins.reads.getByIds;
    assert.is((await db.users.get(u.id))!.name, 'Grace');
    assert.is(ins.reads.getByIds, before);
  });

  s('get after delete returns null; get of a missing id that is then created returns it', async ({ db }) => {
    const u = await db.users.create({ name: 'Ada' });
    await db.users.get(u.id);
    await db.users.delete(u.id);
    assert.is(await db.users.get(u.id), null);
    const id = '01930000-0000-7000-8000-00000000abcd';
    assert.is(await db.users.get(id), null);
    await db.users.create({ id, name: 'Late' });
    assert.is((await db.users.get(id))!.name, 'Late');
  });

  s('find, count and exists after updateMany and deleteMany return the new state', async ({ db }) => {
    await db.users.createMany([{ name: 'a', age: 10 }, { name: 'b', age: 20 }, { name: 'c', age: 30 }]);
    const q = { where: { age: { gte: 15 } }, orderBy: { age: 'asc' as const } };
    assert.equal((await db.users.find(q)).map((u) => u.name), ['b', 'c']);
    assert.is(await db.users.count({ age: { gte: 15 } }), 2);
    await db.users.updateMany({ name: 'a' }, { age: 50 });
    assert.equal((await db.users.find(q)).map((u) => u.name), ['b', 'c', 'a']);
    assert.is(await db.users.count({ age: { gte: 15 } }), 3);
    await db.users.deleteMany({ age: { gte: 25 } });
    assert.equal((await db.users.find(q)).map((u) => u.name), ['b']);
    assert.is(await db.users.count({ age: { gte: 15 } }), 1);
    assert.is(await db.users.exists({ name: 'c' }), false);
  });

  s('getMany mixes cached and fresh ids and sees each write', async ({ db, ins }) => {
    const [a, b, c] = await db.users.createMany([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    await db.users.get(a!.id);
    const reads = ins.reads.getByIds;
    const many = await db.users.getMany([a!.id, b!.id, c!.id]);
    assert.equal(many.map((u) => u.name), ['a', 'b', 'c']);
    assert.is(ins.reads.getByIds, reads + 1);
    await db.users.update(b!.id, { name: 'B' });
    assert.equal((await db.users.getMany([a!.id, b!.id, c!.id])).map((u) => u.name), ['a', 'B', 'c']);
  });

  s('a rolled-back transaction leaves the cache as it was', async ({ db, ins }) => {
    const u = await db.users.create({ name: 'Ada', age: 1 });
    await db.users.get(u.id);
    await db.users.find({ where: { age: 1 } });
    const reads = ins.reads.getByIds + ins.reads.query;
    await db.transaction(async (tx) => {
      await tx.users.update(u.id, { name: 'Rolled' });
      throw new Error('abort');
    }).catch(() => undefined);
    assert.is((await db.users.get(u.id))!.name, 'Ada');
    assert.is((await db.users.find({ where: { age: 1 } }))[0]!.name, 'Ada');
    assert.is(ins.reads.getByIds + ins.reads.query, reads, 'both reads still served from the cache');
  });

  s('a committed transaction invalidates after commit, and reads inside it see its own writes', async ({ db }) => {
    const u = await db.users.create({ name: 'Ada' });
    await db.users.get(u.id);
    await db.transaction(async (tx) => {
      await tx.users.update(u.id, { name: 'InTx' });
      assert.is((await tx.users.get(u.id))!.name, 'InTx');
    });
    assert.is((await db.users.get(u.id))!.name, 'InTx');
  });

  s('two spellings of the same query share one entry', async ({ db, ins }) => {
    await db.users.createMany([{ name: 'a', age: 1 }, { name: 'b', age: 2 }]);
    await db.users.find({ where: { name: 'a', age: 1 } });
    const reads = ins.reads.query;
    await db.users.find({ where: { age: { eq: 1 }, name: 'a' } });
    assert.is(ins.reads.query, reads);
  });

  s('mutating a returned record does not change what the cache serves', async ({ db }) => {
    const u = await db.users.create({ name: 'Ada', tags: { a: [1, 2] } });
    const first = (await db.users.get(u.id))!;
    (first.tags as { a: number[] }).a.push(3);
    first.name = 'changed';
    const again = (await db.users.get(u.id))!;
    assert.is(again.name, 'Ada');
    assert.equal(again.tags, { a: [1, 2] });
    const list = await db.users.find({});
    list[0]!.name = 'x';
    assert.is((await db.users.find({}))[0]!.name, 'Ada');
  });

  s('cache: false reads the database; { ttl } is honoured', async ({ db, ins }) => {
    const u = await db.users.create({ name: 'Ada' });
    await db.users.get(u.id);
    const reads = ins.reads.getByIds;
    await db.users.get(u.id, { cache: false });
    assert.is(ins.reads.getByIds, reads + 1);
    await db.users.find({ where: { name: 'Ada' } }, { cache: { ttl: 30 } });
    await new Promise((r) => setTimeout(r, 60));
    const q = ins.reads.query;
    await db.users.find({ where: { name: 'Ada' } });
    assert.is(ins.reads.query, q + 1, 'the 30 ms entry expired');
  });

  s('a repository opted out in its definition (plugins: { cache: false }) is never cached', async ({ db, ins }) => {
    const n = await db.notes.create({ owner: 'o', body: 'b' });
    await db.notes.get(n.id);
    await db.notes.get(n.id);
    assert.is(ins.reads.getByIds, 2);
  });

  s('values come back with their types from either tier (Date, bigint, bytes, JSON)', async ({ db }) => {
    const u = await db.users.create({ name: 'Typed', score: 2n ** 62n + 7n, avatar: new Uint8Array([1, 2, 3]), tags: { k: [1, { z: null }] } });
    for (let i = 0; i < 3; i++) {
      const got = (await db.users.get(u.id))!;
      assert.ok(got.createdAt instanceof Date);
      assert.is(got.createdAt.getTime(), u.createdAt.getTime());
      assert.is(got.score, 2n ** 62n + 7n);
      assert.ok(got.avatar instanceof Uint8Array);
      assert.equal([...got.avatar!], [1, 2, 3]);
      assert.equal(got.tags, { k: [1, { z: null }] });
    }
  });

  s.run();
}
