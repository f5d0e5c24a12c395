import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, DriverError, f, UnsupportedQueryError } from '@chatcore/core';
import { useFirestoreEmulator } from '../src/testing/index.js';
import { testDriver, suffix } from './helpers/emulator.js';

// Sums Firestore cannot answer exactly: it adds integers in 64 bits and
// answers with a double past that range, and adds doubles up to Infinity.
const emulator = await useFirestoreEmulator();
const totals = defineRepository('totals', { id: f.id(), g: f.string(), b: f.bigint().optional(), x: f.number().optional() }, { table: `range_${suffix()}` });
const db = createDatabase({ driver: testDriver(emulator), repositories: { totals } });
await db.connect();
await db.totals.createMany([
  { g: 'past', b: 2n ** 62n }, { g: 'past', b: 2n ** 62n }, { g: 'past', b: 8n }, { g: 'past', b: 2n ** 62n - 1n },
  { g: 'edge', b: 2n ** 62n }, { g: 'edge', b: 2n ** 62n - 1n },
  { g: 'huge', x: 1e308 }, { g: 'huge', x: 1e308 },
]);

test('a bigint sum past the 64-bit range is refused with UnsupportedQueryError, never a rounded number', async () => {
  try {
    const [row] = await db.totals.aggregate({ where: { g: 'past' }, sum: ['b'] });
    assert.unreachable(`expected a refusal, got ${String(row?.sum.b)}`);
  } catch (e) {
    assert.instance(e, UnsupportedQueryError);
    assert.match((e as Error).message, /sum of b over the matching records left the 64-bit integer range/);
    assert.equal((e as UnsupportedQueryError).info.measures, ['sum(b)']);
  }
});

test('a bigint sum up to 2^63 - 1 is exact', async () => {
  const [row] = await db.totals.aggregate({ where: { g: 'edge' }, sum: ['b'], count: ['_all'] });
  assert.is(row!.sum.b, 2n ** 63n - 1n);
  assert.is(row!.count._all, 2);
});

test('the same sum filtered by ids is computed from the records, exactly', async () => {
  const ids = (await db.totals.find({ where: { g: 'past' } })).map((r) => r.id);
  const [row] = await db.totals.aggregate({ where: { id: { in: ids } }, sum: ['b'] });
  assert.is(row!.sum.b, 2n ** 62n * 3n + 7n);
});

test('a sum or average of doubles past their range is a DriverError, not Infinity', async () => {
  for (const q of [{ sum: ['x'] }, { avg: ['x'] }] as const) {
    try {
      await db.totals.aggregate({ where: { g: 'huge' }, ...q });
      assert.unreachable('expected a DriverError');
    } catch (e) {
      assert.instance(e, DriverError);
      assert.match((e as Error).message, /out of range of a double/);
    }
  }
});

test.after(async () => {
  await db.totals.deleteMany({});
  await db.close();
  await emulator.stop();
});
test.run();
