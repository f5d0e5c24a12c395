import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, UniqueViolationError } from '@chatcore/core';
import { memoryDriver, type DriverSession } from '@chatcore/core/driver';

// A memory transaction keeps an overlay of its writes on the tables below
// it instead of copying them: what such an overlay could get wrong.
const items = defineRepository('items', { id: f.id(), name: f.string().unique(), n: f.integer() });
const schema = items.schema;
const row = (id: string, n = 0, name = id) => ({ id, name, n });
const byId = { orderBy: [{ field: 'id' as const, direction: 'asc' as const }] };
const all = async (s: DriverSession) => (await s.query(schema, byId, {})).map((r) => `${r.id}:${r.name}:${r.n}`);
const pad = (i: number) => `r${String(i).padStart(5, '0')}`;
const big = (count: number) => Array.from({ length: count }, (_, i) => row(pad(i), i));

test('rollback after many writes to a big table leaves every row as it was', async () => {
  const d = memoryDriver();
  await d.insert(schema, big(5000), {});
  const before = await d.query(schema, byId, {});
  const outcome = await d.transaction(async (tx) => {
    await tx.update(schema, { where: { kind: 'cmp', field: 'n', op: 'lt', value: 2000 } }, { set: {}, increment: { n: 1 } }, {});
    await tx.delete(schema, { ids: Array.from({ length: 1000 }, (_, i) => pad(3000 + i)) }, {});
    await tx.insert(schema, Array.from({ length: 500 }, (_, i) => row(`new${i}`)), {});
    await tx.update(schema, { ids: [pad(4500)] }, { set: { name: 'renamed' }, increment: {} }, {});
    assert.is(await tx.count(schema, undefined, {}), 4500, 'the transaction sees its own writes');
    throw new Error('boom');
  }, {}).catch((error: unknown) => error);
  assert.instance(outcome, Error);
  assert.equal(await d.query(schema, byId, {}), before);
  assert.is(await d.count(schema, undefined, {}), 5000);
});

test('reads inside a transaction see its own inserts, updates and deletes; other flows do not', async () => {
  const d = memoryDriver();
  await d.insert(schema, [row('a', 1), row('b', 2), row('c', 3)], {});
  await d.transaction(async (tx) => {
    await tx.insert(schema, [row('d', 4)], {});
    await tx.update(schema, { ids: ['a'] }, { set: { n: 10 }, increment: {} }, {});
    await tx.delete(schema, { ids: ['b'] }, {});
    assert.equal(await all(tx), ['a:a:10', 'c:c:3', 'd:d:4']);
    assert.equal((await tx.getByIds(schema, ['a', 'b', 'd'], {})).map((r) => r.id), ['a', 'd']);
    assert.is(await tx.count(schema, { kind: 'cmp', field: 'n', op: 'gte', value: 4 }, {}), 2);
    const [sum] = await tx.aggregate(schema, { groupBy: [], measures: [{ fn: 'sum', field: 'n' }], orderBy: [] }, {});
    assert.is(Number(sum!.values[0]), 17);
    assert.equal(await all(d), ['a:a:1', 'b:b:2', 'c:c:3'], 'outside: nothing of the transaction yet');
  }, {});
  assert.equal(await all(d), ['a:a:10', 'c:c:3', 'd:d:4']);
});

test('a failing unique insert inside a transaction leaves the table as before, and the transaction can go on', async () => {
  const d = memoryDriver();
  await d.insert(schema, big(200), {});
  const before = await all(d);
  await d.transaction(async (tx) => {
    await tx.update(schema, { ids: [pad(1)] }, { set: { name: 'taken' }, increment: {} }, {});
    const seen = await all(tx);
    const error = await tx.insert(schema, [row('x1'), { id: 'x2', name: 'taken', n: 0 }], {}).catch((e: unknown) => e);
    assert.instance(error, UniqueViolationError);
    assert.equal(await all(tx), seen, 'no row of the failed batch is visible in the transaction');
    const again = await tx.insert(schema, [row(pad(2))], {}).catch((e: unknown) => e);
    assert.instance(again, UniqueViolationError, 'an id the snapshot holds still conflicts');
    await tx.insert(schema, [row('x3')], {});
  }, {});
  const after = await all(d);
  assert.equal(after.filter((r) => !r.startsWith(pad(1)) && r !== 'x3:x3:0'), before.filter((r) => !r.startsWith(pad(1))));
  assert.ok(after.includes(`${pad(1)}:taken:1`));
  assert.ok(after.includes('x3:x3:0'));
});

test('unique values freed and taken in the same transaction: the swap commits, a clash with the snapshot does not', async () => {
  const d = memoryDriver();
  await d.insert(schema, [row('a', 0, 'one'), row('b', 0, 'two')], {});
  await d.transaction(async (tx) => {
    await tx.update(schema, { ids: ['a'] }, { set: { name: 'tmp' }, increment: {} }, {});
    await tx.update(schema, { ids: ['b'] }, { set: { name: 'one' }, increment: {} }, {});
    await tx.update(schema, { ids: ['a'] }, { set: { name: 'two' }, increment: {} }, {});
    const clash = await tx.insert(schema, [row('c', 0, 'one')], {}).catch((e: unknown) => e);
    assert.instance(clash, UniqueViolationError);
  }, {});
  assert.equal(await all(d), ['a:two:0', 'b:one:0']);
});

test('a row deleted and inserted again in one transaction is there once, with its new values', async () => {
  const d = memoryDriver();
  await d.insert(schema, [row('a', 1), row('b', 2)], {});
  await d.transaction(async (tx) => {
    await tx.delete(schema, { ids: ['a'] }, {});
    await tx.insert(schema, [row('a', 5)], {});
    assert.equal(await all(tx), ['a:a:5', 'b:b:2']);
    assert.is(await tx.count(schema, undefined, {}), 2);
  }, {});
  assert.equal(await all(d), ['a:a:5', 'b:b:2']);
});

test('nested savepoints: rolling back the innermost keeps the outer ones, rolling back the middle drops both', async () => {
  const d = memoryDriver();
  await d.insert(schema, big(1000), {});
  await d.transaction(async (tx) => {
    await tx.update(schema, { ids: [pad(0)] }, { set: { n: -1 }, increment: {} }, {});
    await tx.transaction(async (middle) => {
      await middle.delete(schema, { ids: [pad(1)] }, {});
      await middle.insert(schema, [row('m')], {});
      await middle.transaction(async (inner) => {
        await inner.update(schema, { ids: [pad(0), pad(2)] }, { set: { n: 99 }, increment: {} }, {});
        await inner.insert(schema, [row(pad(1), 7)], {});
        await inner.delete(schema, { ids: ['m'] }, {});
        assert.equal((await inner.getByIds(schema, [pad(0), pad(1), pad(2), 'm'], {})).map((r) => `${r.id}:${r.n}`), [`${pad(0)}:99`, `${pad(1)}:7`, `${pad(2)}:99`]);
        throw new Error('inner');
      }, {}).catch(() => undefined);
      assert.equal((await middle.getByIds(schema, [pad(0), pad(1), pad(2), 'm'], {})).map((r) => `${r.id}:${r.n}`), [`${pad(0)}:-1`, `${pad(2)}:2`, 'm:0']);
    }, {});
    await tx.transaction(async (middle) => {
      await middle.delete(schema, { ids: [pad(3)] }, {});
      await middle.transaction(async (inner) => {
        await inner.update(schema, { ids: [pad(4)] }, { set: { n: 44 }, increment: {} }, {});
      }, {});
      throw new Error('middle');
    }, {}).catch(() => undefined);
    assert.equal((await tx.getByIds(schema, [pad(3), pad(4)], {})).map((r) => `${r.id}:${r.n}`), [`${pad(3)}:3`, `${pad(4)}:4`]);
  }, {});
  assert.is(await d.count(schema, undefined, {}), 1000);
  assert.equal((await d.getByIds(schema, [pad(0), pad(1), pad(3), pad(4), 'm'], {})).map((r) => `${r.id}:${r.n}`), [`${pad(0)}:-1`, `${pad(3)}:3`, `${pad(4)}:4`, 'm:0']);
});

test('a transaction keeps its snapshot of a table while other flows write to it, and commits over their writes', async () => {
  const d = memoryDriver();
  await d.insert(schema, [row('a', 1), row('b', 2), row('c', 3)], {});
  await d.transaction(async (tx) => {
    assert.equal(await all(tx), ['a:a:1', 'b:b:2', 'c:c:3']);
    await d.update(schema, { ids: ['a'] }, { set: { n: 100 }, increment: {} }, {});
    await d.delete(schema, { ids: ['b'] }, {});
    await d.insert(schema, [row('z', 26)], {});
    assert.equal(await all(tx), ['a:a:1', 'b:b:2', 'c:c:3'], 'the snapshot from the first touch');
    assert.is(await tx.count(schema, undefined, {}), 3);
    assert.equal((await tx.getByIds(schema, ['a', 'b', 'z'], {})).map((r) => `${r.id}:${r.n}`), ['a:1', 'b:2']);
    await tx.update(schema, { ids: ['c'] }, { set: { n: 30 }, increment: {} }, {});
  }, {});
  assert.equal(await all(d), ['a:a:100', 'c:c:30', 'z:z:26']);
});

test('a table first touched after another flow wrote to it shows that write', async () => {
  const other = defineRepository('others', { id: f.id(), n: f.integer() }).schema;
  const d = memoryDriver();
  await d.transaction(async (tx) => {
    await tx.insert(other, [{ id: 'o', n: 1 }], {});
    await d.insert(schema, [row('late')], {});
    assert.equal(await all(tx), ['late:late:0']);
  }, {});
  assert.equal(await all(d), ['late:late:0']);
});

test('a transaction run beside an open one commits without changing what the open one sees', async () => {
  const d = memoryDriver();
  await d.insert(schema, [row('a', 1)], {});
  await d.transaction(async (outer) => {
    await outer.insert(schema, [row('o')], {});
    await d.transaction(async (beside) => {
      await beside.update(schema, { ids: ['a'] }, { set: { n: 2 }, increment: {} }, {});
      await beside.insert(schema, [row('b')], {});
    }, {});
    assert.equal(await all(outer), ['a:a:1', 'o:o:0']);
  }, {});
  assert.equal(await all(d), ['a:a:2', 'b:b:0', 'o:o:0']);
});

test('a cascade inside a rolled-back transaction on a big table leaves parent and children as they were', async () => {
  const chats = defineRepository('chats', { id: f.id(), title: f.string() });
  const messages = defineRepository('messages', { id: f.id(), chatId: f.string().references('chats', { onDelete: 'cascade' }), body: f.text() });
  const db = createDatabase({ driver: memoryDriver(), repositories: { chats, messages } });
  await db.connect();
  try {
    const keep = await db.chats.create({ title: 'keep' });
    await db.messages.createMany(Array.from({ length: 3000 }, (_, i) => ({ chatId: keep.id, body: `k${i}` })));
    const gone = await db.chats.create({ title: 'gone' });
    await db.messages.createMany(Array.from({ length: 50 }, (_, i) => ({ chatId: gone.id, body: `g${i}` })));
    const outcome = await db.transaction(async (tx) => {
      await tx.chats.delete(gone.id);
      assert.is(await tx.messages.count({ chatId: gone.id }), 0, 'the cascade is visible in the transaction');
      throw new Error('undo');
    }).catch((error: unknown) => error);
    assert.instance(outcome, Error);
    assert.ok(await db.chats.get(gone.id));
    assert.is(await db.messages.count({ chatId: gone.id }), 50);
    assert.is(await db.messages.count({}), 3050);
    await db.chats.delete(gone.id);
    assert.is(await db.messages.count({}), 3000);
  } finally {
    await db.close();
  }
});

test.run();
