import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Query } from '@google-cloud/firestore';
import { createDatabase, defineRepository, f, UnsupportedQueryError } from '@chatcore/core';
import { useFirestoreEmulator } from '../src/testing/index.js';
import { testDriver, suffix } from './helpers/emulator.js';
import { FIRESTORE_LIMITS } from '../src/index.js';

const emulator = await useFirestoreEmulator();
const items = defineRepository('items', {
  id: f.id(), a: f.integer().optional(), b: f.integer().optional(), name: f.string().optional(), version: f.version(),
}, { table: `unsup_${suffix()}` });
const db = createDatabase({ driver: testDriver(emulator, { maxSortInMemory: 5 }), repositories: { items } });
await db.connect();
await db.items.createMany(Array.from({ length: 10 }, (_, i) => ({ a: i, b: i % 3, name: `n${i}` })));

// Count queries the SDK sends, to prove refusals happen before anything is sent.
let sent = 0;
const originalGet = Query.prototype.get;
Query.prototype.get = function (this: Query) {
  sent++;
  return originalGet.call(this);
};

async function refused(where: object, limit: string, extra: object = {}): Promise<void> {
  const before = sent;
  try {
    await db.items.find({ where, ...extra } as never);
    assert.unreachable(`expected UnsupportedQueryError (${limit})`);
  } catch (e) {
    assert.instance(e, UnsupportedQueryError, limit);
    // The repository layer refuses some shapes itself from the declared capabilities (maxInList).
    if ((e as UnsupportedQueryError).info.limit !== undefined || limit !== 'in') {
      assert.is((e as UnsupportedQueryError).info.limit, limit);
      assert.match((e as Error).message, /Fix:/);
    } else assert.match((e as Error).message, /30/);
  }
  assert.is(sent, before, `nothing was sent for ${limit}`);
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

test('an in-list over 30 values is refused, naming the in limit', async () => {
  await refused({ a: { in: range(31) } }, 'in');
});

test('a notIn over 10 values is refused', async () => {
  await refused({ a: { notIn: range(11) } }, 'notIn');
});

test('more than 30 disjunctions in normal form are refused', async () => {
  await refused({ a: { in: range(10) }, b: { in: [0, 1, 2, 3] } }, 'disjunctions');
  await refused({ or: range(31).map((i) => ({ a: i })) }, 'disjunctions');
});

test('two ne / notIn / isNull:false filters are refused', async () => {
  await refused({ a: { ne: 1 }, b: { ne: 2 } }, 'notEqual');
  await refused({ a: { notIn: [1] }, name: { ne: null } }, 'notEqual');
});

test('notIn with in or or is refused', async () => {
  await refused({ a: { notIn: [1] }, b: { in: [1, 2] } }, 'notIn');
  await refused({ a: { notIn: [1] }, or: [{ b: 1 }, { name: 'x' }] }, 'notIn');
});

test('id equality inside an or next to ranges is refused', async () => {
  await refused({ or: [{ id: 'x' }, { b: 1 }], a: { gt: 1 } }, 'keyEquality');
});

test('a range on a field that is not a sort key pages in memory only up to maxSortInMemory', async () => {
  const few = await db.items.find({ where: { a: { gte: 6 } }, orderBy: { name: 'desc' }, limit: 2 });
  assert.equal(few.map((r) => r.name), ['n9', 'n8']);
  try {
    await db.items.find({ where: { a: { gte: 1 } }, orderBy: { name: 'desc' }, limit: 2 });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, UnsupportedQueryError);
    assert.is((e as UnsupportedQueryError).info.limit, 'inequalityOrder');
  }
  // Ordered by the filtered field, Firestore pages natively, whatever the size.
  const native = await db.items.find({ where: { a: { gte: 1 } }, orderBy: { a: 'desc' }, limit: 2 });
  assert.equal(native.map((r) => r.a), [9, 8]);
});

test('exists() with a range filter answers natively, whatever the number of matches', async () => {
  assert.is(await db.items.exists({ a: { gte: 1 } }), true);
  assert.is(await db.items.exists({ a: { gt: 100 } }), false);
});

test('with maxSortInMemory 0 such queries are refused before sending', async () => {
  const strict = createDatabase({ driver: testDriver(emulator, { maxSortInMemory: 0 }), repositories: { items } });
  await strict.connect();
  const before = sent;
  try {
    await strict.items.find({ where: { a: { gte: 1 } }, limit: 2 });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, UnsupportedQueryError);
  }
  assert.is(sent, before);
  await strict.close();
});

test('nested transactions are refused: Firestore has no savepoints', async () => {
  try {
    await db.transaction(async (tx) => tx.transaction(async () => 1));
    assert.unreachable();
  } catch (e) {
    assert.instance(e, UnsupportedQueryError);
  }
});

test('the declared capabilities match the limits', () => {
  const caps = db.driver.capabilities;
  assert.is(caps.maxInList, FIRESTORE_LIMITS.maxIn);
  assert.is(caps.maxDisjunctions, FIRESTORE_LIMITS.maxDisjunctions);
  assert.is(caps.nestedTransactions, false);
  for (const k of ['transactions', 'offset', 'or', 'ne', 'notIn', 'startsWith', 'notStartsWith', 'filteredWrites', 'upsertOnUniqueFields'] as const) assert.ok(caps[k], k);
});

test.after(async () => {
  Query.prototype.get = originalGet;
  await db.items.deleteMany({});
  await db.close();
  await emulator.stop();
});
test.run();
