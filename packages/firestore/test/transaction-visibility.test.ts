import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, UniqueViolationError } from '@chatcore/core';
import { useFirestoreEmulator } from '../src/testing/index.js';
import { testDriver, suffix } from './helpers/emulator.js';

const emulator = await useFirestoreEmulator();
const people = defineRepository('people', {
  id: f.id(),
  name: f.string(),
  email: f.string().unique(),
  rank: f.integer().optional(),
  version: f.version(),
}, { table: `txv_${suffix()}` });
const db = createDatabase({ driver: testDriver(emulator), repositories: { people } });
await db.connect();

const names = (rows: readonly { name: unknown }[]) => rows.map((r) => r.name);

test('queries and counts inside a transaction see its own inserts, updates and deletes, in order', async () => {
  const [a, b, c] = await db.people.createMany([
    { name: 'a', email: 'a@x', rank: 1 }, { name: 'b', email: 'b@x', rank: 2 }, { name: 'c', email: 'c@x', rank: 3 },
  ]);
  const seen = await db.transaction(async (tx) => {
    await tx.people.create({ name: 'n', email: 'n@x', rank: 0 });
    await tx.people.update(c!.id as string, { rank: -1 });
    await tx.people.delete(b!.id as string);
    return {
      ordered: names(await tx.people.find({ orderBy: { rank: 'asc' } })),
      firstTwo: names(await tx.people.find({ orderBy: { rank: 'asc' }, limit: 2 })),
      offset: names(await tx.people.find({ orderBy: { rank: 'asc' }, limit: 1, offset: 2 })),
      ranked: await tx.people.count({ rank: { gte: 0 } }),
      all: await tx.people.count(),
      byId: (await tx.people.get(b!.id as string)) === null,
    };
  });
  assert.equal(seen.ordered, ['c', 'n', 'a']);
  assert.equal(seen.firstTwo, ['c', 'n']);
  assert.equal(seen.offset, ['a']);
  assert.is(seen.ranked, 2);
  assert.is(seen.all, 3);
  assert.ok(seen.byId);
  assert.equal(names(await db.people.find({ orderBy: { rank: 'asc' } })), ['c', 'n', 'a'], 'all of it committed');
  await db.people.deleteMany({});
  void a;
});

test('a duplicate unique value inside one transaction fails at the second create and nothing commits', async () => {
  try {
    await db.transaction(async (tx) => {
      await tx.people.create({ name: 'p', email: 'same@x' });
      await tx.people.create({ name: 'q', email: 'same@x' });
    });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, UniqueViolationError);
  }
  assert.is(await db.people.count(), 0);
  assert.ok(await db.people.create({ name: 'r', email: 'same@x' }), 'the value was never claimed');
  await db.people.deleteMany({});
});

test('delete then re-create the same id in one transaction; a moved unique value is free afterwards', async () => {
  const p = await db.people.create({ id: 'fixed', name: 'old', email: 'old@x' });
  await db.transaction(async (tx) => {
    await tx.people.delete(p.id as string);
    await tx.people.create({ id: 'fixed', name: 'new', email: 'new@x' });
  });
  assert.is((await db.people.get('fixed'))!.name, 'new');
  assert.ok(await db.people.create({ name: 'reuse', email: 'old@x' }));
  await db.people.deleteMany({});
});

test('updateMany inside a transaction reaches records created earlier in it', async () => {
  const n = await db.transaction(async (tx) => {
    await tx.people.createMany([{ name: 'x', email: 'x@x', rank: 5 }, { name: 'y', email: 'y@x', rank: 6 }]);
    return tx.people.updateMany({ rank: { gte: 5 } }, { rank: 0 });
  });
  assert.is(n, 2);
  assert.is(await db.people.count({ rank: 0 }), 2);
  await db.people.deleteMany({});
});

test('a createMany that fails on its third row inside a transaction leaves none of its rows, even if the error is caught', async () => {
  await db.people.create({ name: 'taken', email: 'taken@x' });
  await db.transaction(async (tx) => {
    try {
      await tx.people.createMany([{ name: '1', email: '1@x' }, { name: '2', email: '2@x' }, { name: '3', email: 'taken@x' }]);
      assert.unreachable();
    } catch (e) {
      assert.instance(e, UniqueViolationError);
    }
    await tx.people.create({ name: 'after', email: '1@x' });
  });
  assert.equal(names(await db.people.find({ orderBy: { name: 'asc' } })), ['after', 'taken']);
  await db.people.deleteMany({});
});

test.after(async () => {
  await db.close();
  await emulator.stop();
});
test.run();
