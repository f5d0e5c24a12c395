import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Firestore } from '@google-cloud/firestore';
import { createDatabase, defineRepository, f, UnsupportedQueryError } from '@chatcore/core';
import { useFirestoreEmulator } from '../src/testing/index.js';
import { testDriver, suffix } from './helpers/emulator.js';

// Firestore has no index with a summed field after the document id, so a sum
// or average over a filter on id is refused, unless the summed field is itself
// filtered by a range (the index then starts with it).
const emulator = await useFirestoreEmulator();
const items = defineRepository('items', { id: f.id(), k: f.integer().optional(), n: f.number().optional(), m: f.integer().optional(), g: f.string() }, { table: `aggid_${suffix()}` });
const db = createDatabase({ driver: testDriver(emulator), repositories: { items } });
await db.connect();
await db.items.createMany([{ id: 'a', k: 1, n: 1, g: 'x' }, { id: 'b', k: 2, n: 3, g: 'x' }, { id: 'c', k: null, n: 5, g: 'y' }]);

// Count aggregation queries sent, to prove the refusals happen first (the SDK does not export the class).
const probe = new Firestore({ projectId: 'unused' });
const aggregateQuery = Object.getPrototypeOf(probe.collection('c').count()) as { get(): Promise<unknown> };
await probe.terminate();
let sent = 0;
const originalGet = aggregateQuery.get;
aggregateQuery.get = function (this: unknown) {
  sent++;
  return originalGet.call(this);
};

test('sum or avg over an inequality, range or or-branch on id is refused with UnsupportedQueryError before sending', async () => {
  const wheres = [{ id: { ne: 'b' } }, { id: { gt: 'a' } }, { id: { lt: 'c' } }, { id: { notIn: ['b'] } }, { or: [{ id: { gt: 'b' } }, { g: 'x' }] }, { or: [{ id: 'a' }, { g: 'y' }] }];
  for (const where of wheres) {
    for (const measures of [{ count: ['_all'], sum: ['k'] }, { avg: ['n'] }] as const) {
      const label = JSON.stringify({ where, ...measures });
      const before = sent;
      try {
        await db.items.aggregate({ where, ...measures } as never);
        assert.unreachable(`expected UnsupportedQueryError for ${label}`);
      } catch (e) {
        assert.instance(e, UnsupportedQueryError, label);
        assert.is((e as UnsupportedQueryError).info.limit, 'idAggregate', label);
        assert.match((e as Error).message, /cannot sum or average (k|n) of items over a filter on id/, label);
        assert.match((e as Error).message, /Fix: select the records with a top-level id: \{ in: \[\.\.\.\] \}/, label);
      }
      assert.is(sent, before, `nothing was sent for ${label}`);
    }
  }
});

test('count alone over an id inequality, and sums the index can serve, still run natively', async () => {
  const [count] = await db.items.aggregate({ where: { id: { ne: 'b' } }, count: ['_all'] });
  assert.is(count!.count._all, 2);
  const [ranged] = await db.items.aggregate({ where: { id: { gt: 'a' }, k: { isNull: false } }, sum: ['k'], avg: ['k'] });
  assert.is(ranged!.sum.k, 2);
  assert.is(ranged!.avg.k, 2);
  const [bounded] = await db.items.aggregate({ where: { id: { ne: 'b' }, n: { gte: -1e308 } }, sum: ['n'] });
  assert.is(bounded!.sum.n, 6);
  const [byIds] = await db.items.aggregate({ where: { id: { in: ['a', 'c'] } }, sum: ['k'], avg: ['n'] });
  assert.is(byIds!.sum.k, 1);
  assert.is(byIds!.avg.n, 3);
});

test('records selected by id in are aggregated by the driver, so the aggregation-query limit of 5 does not apply', async () => {
  const before = sent;
  const [row] = await db.items.aggregate({ where: { id: { in: ['a', 'b', 'c'] } }, count: ['_all'], sum: ['k', 'n', 'm'], avg: ['k', 'n'] });
  assert.equal([row!.count._all, row!.sum.k, row!.sum.n, row!.sum.m, row!.avg.k, row!.avg.n], [3, 3, 9, null, 1.5, 3]);
  assert.is(sent, before, 'no aggregation query');
  // Without id in, the same measures need 7 aggregations (each sum takes an average too): refused before sending.
  const err = await db.items.aggregate({ where: { g: { in: ['x', 'y'] } }, count: ['_all'], sum: ['k', 'n', 'm'], avg: ['k', 'n'] }).then(() => undefined, (e: unknown) => e);
  assert.instance(err, UnsupportedQueryError);
  assert.match((err as Error).message, /at most 5 aggregations/);
  assert.is(sent, before);
});

test('ids that cannot exist: ne matches every record, eq none, and startsWith \'\' on id every one (as on SQL)', async () => {
  for (const bad of ['/', '.', '..', '__x__', 'a/b']) {
    assert.is(await db.items.count({ id: { ne: bad } }), 3, `ne ${bad}`);
    assert.is(await db.items.count({ id: bad }), 0, `eq ${bad}`);
    assert.equal((await db.items.find({ where: { id: { ne: bad } }, orderBy: { id: 'asc' } })).map((r) => r.id), ['a', 'b', 'c']);
    const err = await db.items.find({ where: { id: { gt: bad } } }).then(() => undefined, (e: unknown) => e);
    assert.instance(err, UnsupportedQueryError, `gt ${bad}`);
  }
  assert.equal((await db.items.find({ where: { id: { startsWith: '' } }, orderBy: { id: 'asc' } })).map((r) => r.id), ['a', 'b', 'c']);
  assert.is(await db.items.count({ id: { startsWith: '' } }), 3);
  assert.is(await db.items.count({ not: { id: { startsWith: '' } } } as never), 0);
});

test.after(async () => {
  aggregateQuery.get = originalGet;
  await db.items.deleteMany({});
  await db.close();
  await emulator.stop();
});
test.run();
