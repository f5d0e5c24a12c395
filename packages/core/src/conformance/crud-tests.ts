import * as assert from 'uvu/assert';
import type { Harness } from './harness.js';
import { collectAtMost, idSet, ids, rejectsWith, same } from './harness.js';
import { itemsRepository } from './fixtures.js';
import { sortRecords, type Rec } from './reference.js';
import { upsertSpy } from './upsert-spy.js';

/**
 * Every repository method, its result and its effect on the stored data.
 *
 * @example
 * ```ts
 * registerCrudTests(harness);
 * ```
 */
export function registerCrudTests(h: Harness): void {
  const repos = { items: itemsRepository(h.table('crud')) };
  const spy = upsertSpy();
  h.group('crud', repos, (test) => {
    test('create assigns an id, version 1 and nulls for absent optional fields', async ({ db }) => {
      const r = await db.items.create({ name: 'one' });
      assert.type(r.id, 'string');
      assert.ok(r.id.length > 0);
      assert.is(r.version, 1);
      assert.is(r.rank, null);
      assert.is(r.counter, 0);
      same(r.total, 0n, 'bigint default');
      same(await db.items.get(r.id), r, 'get returns what create returned');
    });

    test('create keeps a caller-chosen id', async ({ db }) => {
      const id = `custom-${h.runId}-1`;
      const r = await db.items.create({ id, name: 'custom' });
      assert.is(r.id, id);
      assert.is((await db.items.get(id))?.name, 'custom');
    });

    test('get of a missing id returns null', async ({ db }) => {
      assert.is(await db.items.get(`missing-${h.runId}`), null);
    });

    test('createMany inserts every record and returns them in input order', async ({ db }) => {
      const made = await db.items.createMany([{ name: 'm1', rank: 1 }, { name: 'm2', rank: 2 }, { name: 'm3' }]);
      assert.equal(made.map((r) => r.name), ['m1', 'm2', 'm3']);
      const read = await db.items.getMany(made.map((r) => r.id));
      assert.equal(read.map((r) => r.name), ['m1', 'm2', 'm3']);
      assert.equal(await db.items.createMany([]), []);
    });

    test('getMany returns records in the order of the ids and skips missing ones', async ({ db }) => {
      const [a, b, c] = await db.items.createMany([{ name: 'ga' }, { name: 'gb' }, { name: 'gc' }]);
      const got = await db.items.getMany([c!.id, `missing-${h.runId}`, a!.id, b!.id]);
      assert.equal(ids(got), [c!.id, a!.id, b!.id]);
    });

    test('find, findOne, count and exists agree on the same filter', async ({ db }) => {
      const tag = `fc-${h.runId}`;
      const made = await db.items.createMany([{ name: 'f1', tag, rank: 3 }, { name: 'f2', tag, rank: 1 }, { name: 'f3', tag, rank: 2 }]);
      const found = await db.items.find({ where: { tag }, orderBy: { rank: 'asc' } });
      assert.equal(found.map((r) => r.name), ['f2', 'f3', 'f1']);
      assert.is((await db.items.findOne({ where: { tag }, orderBy: { rank: 'desc' } }))?.name, 'f1');
      assert.is(await db.items.count({ tag }), 3);
      assert.is(await db.items.exists({ tag }), true);
      assert.is(await db.items.exists({ tag: `${tag}-none` }), false);
      assert.is(await db.items.findOne({ where: { tag: `${tag}-none` } }), null);
      assert.is(await db.items.count({ tag: `${tag}-none` }), 0);
      assert.equal(idSet(found), idSet(made));
    });

    test('update changes only the patched fields and returns the record as stored', async ({ db }) => {
      const r = await db.items.create({ name: 'u', rank: 1, tag: 'keep' });
      const u = await db.items.update(r.id, { name: 'u2', rank: null });
      assert.is(u.name, 'u2');
      assert.is(u.rank, null);
      assert.is(u.tag, 'keep');
      same(await db.items.get(r.id), u, 'get after update');
    });

    test('update of a missing id raises NotFoundError', async ({ db }) => {
      await rejectsWith(() => db.items.update(`missing-${h.runId}`, { name: 'x' }), 'NOT_FOUND', 'update missing');
    });

    test('updateMany patches exactly the matching records and returns their number', async ({ db }) => {
      const tag = `um-${h.runId}`;
      const made = await db.items.createMany([{ name: 'a', tag, rank: 1 }, { name: 'b', tag, rank: 5 }, { name: 'c', tag, rank: null }, { name: 'd', tag: `${tag}-other`, rank: 1 }]);
      const before = await db.items.find({ orderBy: { id: 'asc' } });
      const n = await db.items.updateMany({ tag, rank: { lt: 3 } }, { name: 'patched' });
      assert.is(n, 1);
      const after = await db.items.find({ orderBy: { id: 'asc' } });
      assert.is(after.length, before.length);
      for (const row of after) {
        const old = before.find((b) => b.id === row.id)!;
        if (row.id === made[0]!.id) {
          assert.is(row.name, 'patched');
          assert.is(row.version, old.version + 1);
        } else {
          same(row, old, `record ${row.name} untouched by updateMany`);
        }
      }
    });

    test('updateMany with a filter matching nothing changes nothing', async ({ db }) => {
      const before = await db.items.find({ orderBy: { id: 'asc' } });
      assert.is(await db.items.updateMany({ tag: `none-${h.runId}` }, { name: 'x' }), 0);
      same(await db.items.find({ orderBy: { id: 'asc' } }), before, 'data unchanged');
    });

    test('updateMany and deleteMany with a filter that can match nothing (in: []) change nothing', async ({ db }) => {
      await db.items.create({ name: 'keep', rank: 1 });
      const before = await db.items.find({ orderBy: { id: 'asc' } });
      assert.is(await db.items.updateMany({ rank: { in: [] } }, { name: 'x' }), 0);
      assert.is(await db.items.deleteMany({ rank: { in: [] } }), 0);
      assert.is(await db.items.count({ rank: { in: [] } }), 0);
      same(await db.items.find({ orderBy: { id: 'asc' } }), before, 'data unchanged');
    });

    test('updateMany and deleteMany with id notIn [] (all but none) change every record', async ({ db }) => {
      await db.items.createMany([{ name: 'all-a', rank: 1 }, { name: 'all-b' }]);
      const total = await db.items.count({});
      assert.is(await db.items.updateMany({ id: { notIn: [] } }, { tag: `all-${h.runId}` }), total);
      assert.is(await db.items.count({ tag: `all-${h.runId}` }), total);
      assert.is(await db.items.deleteMany({ not: { id: { in: [] } } }), total);
      assert.is(await db.items.count({}), 0);
    });

    test('updateMany and deleteMany refuse a filter whose fields test nothing (undefined, empty), and change nothing', async ({ db }) => {
      await db.items.create({ name: 'keep', rank: 1 });
      const before = await db.items.find({ orderBy: { id: 'asc' } });
      const blank = [{ name: undefined }, { name: { eq: undefined } }, { tag: {} }, { or: [{}] }, { and: [{ name: undefined }] }];
      for (const where of blank) {
        await rejectsWith(() => db.items.deleteMany(where as never), 'VALIDATION', `deleteMany(${JSON.stringify(where)})`);
        await rejectsWith(() => db.items.updateMany(where as never, { name: 'x' }), 'VALIDATION', `updateMany(${JSON.stringify(where)})`);
      }
      same(await db.items.find({ orderBy: { id: 'asc' } }), before, 'data unchanged');
      assert.is(await db.items.count({ name: undefined } as never), before.length, 'a read with the same filter reads every record');
    });

    test('upsert inserts when absent and updates the existing record when present', async ({ db }) => {
      const id = `up-${h.runId}`;
      spy.take();
      const first = await db.items.upsert({ id, name: 'first', rank: 1 });
      assert.equal(spy.take(), [true], 'created reported by the insert');
      assert.is(first.name, 'first');
      assert.is(first.version, 1);
      const second = await db.items.upsert({ id, name: 'second', rank: 2 });
      assert.is(second.id, id);
      assert.is(second.name, 'second');
      assert.is(second.rank, 2);
      assert.is(second.version, 2);
      assert.equal(spy.take(), [false], 'created not reported by the update');
      same(second.createdAt, first.createdAt, 'createdAt kept by upsert');
      assert.is(await db.items.count({ id }), 1);
      const third = await db.items.upsert({ id, name: 'ignored' }, { update: { counter: { increment: 5 } } });
      assert.is(third.name, 'second');
      assert.is(third.counter, 5);
      assert.equal(spy.take(), [false], 'created not reported by the increment');
    });

    test('delete removes the record and returns whether it existed', async ({ db }) => {
      const r = await db.items.create({ name: 'del' });
      assert.is(await db.items.delete(r.id), true);
      assert.is(await db.items.get(r.id), null);
      assert.is(await db.items.delete(r.id), false);
    });

    test('deleteMany removes exactly the matching records and returns their number', async ({ db }) => {
      const tag = `dm-${h.runId}`;
      const made = await db.items.createMany([{ name: 'a', tag, rank: 1 }, { name: 'b', tag, rank: 2 }, { name: 'c', tag }, { name: 'd', tag: `${tag}-x`, rank: 1 }]);
      const total = await db.items.count();
      assert.is(await db.items.deleteMany({ tag, rank: { gte: 2 } }), 1);
      assert.is(await db.items.count(), total - 1);
      assert.equal(idSet(await db.items.getMany(made.map((r) => r.id))), idSet([made[0]!, made[2]!, made[3]!]));
      assert.is(await db.items.deleteMany({ tag }), 2);
      assert.is(await db.items.count(), total - 3);
    });

    test('createMany of 1200 records writes them all (batches beyond one backend commit)', async ({ db }) => {
      const tag = `big-${h.runId}`;
      const made = await db.items.createMany(Array.from({ length: 1200 }, (_, i) => ({ name: `b${i}`, tag, rank: i % 7 })));
      assert.is(made.length, 1200);
      assert.is(await db.items.count({ tag }), 1200);
      const iterated = await collectAtMost(db.items.iterate({ where: { tag }, select: ['rank'] }, { pageSize: 500 }), 1200, 'iterate by 500');
      assert.is(iterated.filter((r) => r.rank !== null).length, 1200);
      assert.is(await db.items.deleteMany({ tag }), 1200);
      assert.is(await db.items.count({ tag }), 0);
    });

    test('a call with an already aborted signal raises AbortedError and writes nothing', async ({ db }) => {
      const tag = `ab-${h.runId}`;
      const ac = new AbortController();
      ac.abort();
      await rejectsWith(() => db.items.create({ name: 'x', tag }, { signal: ac.signal }), 'ABORTED', 'aborted create');
      await rejectsWith(() => db.items.find({ where: { tag } }, { signal: ac.signal }), 'ABORTED', 'aborted find');
      assert.is(await db.items.count({ tag }), 0);
    });

    test('iterate yields every matching record once, in order, across many pages', async ({ db }) => {
      const tag = `it-${h.runId}`;
      const made = await db.items.createMany(Array.from({ length: 23 }, (_, i) => ({ name: `it${i}`, tag, rank: i % 4 === 0 ? null : i % 5 })));
      const seen: Rec[] = await collectAtMost(db.items.iterate({ where: { tag }, orderBy: { rank: 'desc' } }, { pageSize: 4 }), 23, 'iterate by 4');
      const expected = sortRecords(made as unknown as Rec[], [['rank', 'desc']]);
      assert.equal(ids(seen), ids(expected));
      const all = await collectAtMost(db.items.iterate({ where: { tag } }, { pageSize: 7 }), 23, 'iterate by 7');
      assert.equal(ids(all as Rec[]), ids(sortRecords(made as unknown as Rec[], [])));
    });
  }, [spy.plugin]);
}
