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
  assert.instance(await d.insert(schema, [row('c', 0, 'one')], {}).catch((e: unknown) => e), UniqueViolationError, 'after commit the swapped values are still held');
  assert.instance(await d.insert(schema, [row('c', 0, 'two')], {}).catch((e: unknown) => e), UniqueViolationError);
  await d.insert(schema, [row('c', 0, 'tmp')], {});
  assert.equal(await all(d), ['a:two:0', 'b:one:0', 'c:tmp:0']);
});

test('a unique value freed by an update can be taken again, at the root and in a transaction', async () => {
  const d = memoryDriver();
  await d.insert(schema, big(100), {});
  await d.update(schema, { ids: [pad(5)] }, { set: { name: 'freed-at-root' }, increment: {} }, {});
  await d.insert(schema, [row('root-taker', 0, pad(5))], {});
  assert.instance(await d.insert(schema, [row('late', 0, 'freed-at-root')], {}).catch((e: unknown) => e), UniqueViolationError);
  await d.transaction(async (tx) => {
    await tx.delete(schema, { ids: [pad(6)] }, {});
    await tx.insert(schema, [row('tx-taker', 0, pad(6))], {});
    assert.instance(await tx.insert(schema, [row('late2', 0, pad(6))], {}).catch((e: unknown) => e), UniqueViolationError);
  }, {});
  assert.equal((await d.getByIds(schema, ['root-taker', 'tx-taker', pad(6)], {})).map((r) => `${r.id}:${r.name}`), [`root-taker:${pad(5)}`, `tx-taker:${pad(6)}`]);
});

test('a unique value freed in a rolled-back savepoint is held again; one freed in a committed savepoint is free', async () => {
  const d = memoryDriver();
  await d.insert(schema, [row('a', 0, 'x'), row('b', 0, 'y')], {});
  await d.transaction(async (tx) => {
    await tx.transaction(async (sp) => {
      await sp.update(schema, { ids: ['a'] }, { set: { name: 'x2' }, increment: {} }, {});
      await sp.insert(schema, [row('c', 0, 'x')], {});
      throw new Error('undo');
    }, {}).catch(() => undefined);
    assert.instance(await tx.insert(schema, [row('c', 0, 'x')], {}).catch((e: unknown) => e), UniqueViolationError);
    await tx.transaction(async (sp) => {
      await sp.update(schema, { ids: ['b'] }, { set: { name: 'y2' }, increment: {} }, {});
    }, {});
    await tx.insert(schema, [row('d', 0, 'y')], {});
  }, {});
  assert.equal(await all(d), ['a:x:0', 'b:y2:0', 'd:y:0']);
});

test('unique checks in a transaction use its snapshot; the commit re-checks against what other flows wrote', async () => {
  const d = memoryDriver();
  await d.insert(schema, [row('a', 0, 'x'), row('b', 0, 'y')], {});
  const outcome = await d.transaction(async (tx) => {
    assert.equal(await all(tx), ['a:x:0', 'b:y:0']);
    await tx.insert(schema, [row('early')], {});
    await d.update(schema, { ids: ['a'] }, { set: { name: 'x-outside' }, increment: {} }, {});
    assert.instance(await tx.insert(schema, [row('c', 0, 'x')], {}).catch((e: unknown) => e), UniqueViolationError, 'the snapshot still holds x');
    await d.insert(schema, [row('o', 0, 'z')], {});
    await tx.insert(schema, [row('t', 0, 'z')], {});
  }, {}).catch((error: unknown) => error);
  assert.instance(outcome, UniqueViolationError, 'z was taken outside before the commit');
  assert.equal(await all(d), ['a:x-outside:0', 'b:y:0', 'o:z:0']);
});

test('upsert on a unique field finds the row by its current value, in a transaction too', async () => {
  const d = memoryDriver();
  await d.insert(schema, big(50), {});
  await d.update(schema, { ids: [pad(7)] }, { set: { name: 'seven' }, increment: {} }, {});
  const spec = { conflictFields: ['name'], patch: { set: {}, increment: { n: 100 } } };
  const first = await d.upsert(schema, row('new1', 0, 'seven'), spec, {});
  assert.equal([first.created, first.row.id, first.row.n], [false, pad(7), 107]);
  const stale = await d.upsert(schema, row('new2', 0, pad(7)), spec, {});
  assert.equal([stale.created, stale.row.id], [true, 'new2']);
  await d.transaction(async (tx) => {
    await tx.update(schema, { ids: [pad(8)] }, { set: { name: 'eight' }, increment: {} }, {});
    const inTx = await tx.upsert(schema, row('new3', 0, 'eight'), spec, {});
    assert.equal([inTx.created, inTx.row.id, inTx.row.n], [false, pad(8), 108]);
  }, {});
  assert.is((await d.getByIds(schema, [pad(8)], {}))[0]!.n, 108);
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

test('a savepoint keeps its snapshot while its transaction writes beside it, and its commit lands on top', async () => {
  const d = memoryDriver();
  await d.insert(schema, [row('a', 1), row('b', 2)], {});
  await d.transaction(async (tx) => {
    await tx.update(schema, { ids: ['a'] }, { set: { n: 10 }, increment: {} }, {});
    await tx.transaction(async (sp) => {
      assert.equal(await all(sp), ['a:a:10', 'b:b:2']);
      await tx.update(schema, { ids: ['a'] }, { set: { n: 11 }, increment: {} }, {});
      await tx.delete(schema, { ids: ['b'] }, {});
      await tx.insert(schema, [row('c', 3)], {});
      assert.equal(await all(sp), ['a:a:10', 'b:b:2'], 'the savepoint\'s snapshot');
      await sp.update(schema, { ids: ['b'] }, { set: { n: 20 }, increment: {} }, {});
    }, {});
    assert.equal(await all(tx), ['a:a:11', 'b:b:20', 'c:c:3']);
  }, {});
  assert.equal(await all(d), ['a:a:11', 'b:b:20', 'c:c:3']);
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

test('a migration renaming a unique field: checks follow the new field, and an open transaction keeps its snapshot', async () => {
  const v1 = defineRepository('people', { id: f.id(), email: f.string().unique() }).schema;
  const v2 = defineRepository('people', { id: f.id(), mail: f.string().unique() }).schema;
  const d = memoryDriver();
  await d.insert(v1, [{ id: 'a', email: 'a@x' }, { id: 'b', email: 'b@x' }], {});
  assert.instance(await d.insert(v1, [{ id: 'c', email: 'a@x' }], {}).catch((e: unknown) => e), UniqueViolationError);
  let seenInTx: unknown[] = [];
  await d.transaction(async (tx) => {
    await tx.getByIds(v1, ['a'], {});
    await d.migrations.applySchemaChanges([{ kind: 'renameField', table: v1.table, from: { name: 'email', meta: v1.fields.email! }, to: { name: 'mail', meta: v2.fields.mail! } }], []);
    seenInTx = await tx.getByIds(v1, ['a', 'b'], {});
  }, {});
  assert.equal(seenInTx, [{ id: 'a', email: 'a@x' }, { id: 'b', email: 'b@x' }]);
  assert.equal(await d.getByIds(v2, ['a'], {}), [{ id: 'a', mail: 'a@x' }]);
  assert.instance(await d.insert(v2, [{ id: 'c', mail: 'a@x' }], {}).catch((e: unknown) => e), UniqueViolationError);
  await d.insert(v2, [{ id: 'c', mail: 'c@x' }], {});
  assert.instance(await d.transaction(async (tx) => tx.insert(v2, [{ id: 'd', mail: 'b@x' }], {}), {}).catch((e: unknown) => e), UniqueViolationError);
  assert.equal((await d.query(v2, byId, {})).map((r) => r.mail), ['a@x', 'b@x', 'c@x']);
});

test.run();
