import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '@chatcore/core';
import { FULL_CAPABILITIES, memoryDriver, type DriverCapabilities, type DriverSession } from '@chatcore/core/driver';
import { type StoredRow } from '@chatcore/core/plugin';
import { chainBatchFor, chainWrites, OutboxChainer } from '../src/outbox/outbox-chainer.js';
import { outboxSchemas } from '../src/outbox/outbox-schema.js';
import { orderedId } from '../src/outbox/ordered-id.js';

const firestoreLike: DriverCapabilities = { ...FULL_CAPABILITIES, nestedTransactions: false, maxInList: 30, maxAtomicBatch: 500 };
const sqlLike: DriverCapabilities = FULL_CAPABILITIES;

test('chainBatchFor: the largest batch whose writes fit in maxAtomicBatch (500), for small checkpoints.every too', () => {
  for (const every of [1, 2, 3, 4, 7, 10, 1000]) {
    const n = chainBatchFor(500, every, firestoreLike);
    assert.ok(chainWrites(n, every) <= 500, `every ${every}: ${n} rows take ${chainWrites(n, every)} writes`);
    assert.ok(chainWrites(n + 1, every) > 500, `every ${every}: one more row would still fit`);
  }
  assert.is(chainBatchFor(500, 1, firestoreLike), 165, '3 + 2 * 165 + 165 = 498');
  assert.is(chainBatchFor(500, 2, firestoreLike), 198, '3 + 2 * 198 + 99 = 498');
  assert.is(chainBatchFor(500, 1000, firestoreLike), 248, '3 + 2 * 248 + 1 = 500');
  assert.is(chainBatchFor(100, 1, firestoreLike), 100, 'what is asked for when it fits');
});

test('chainBatchFor: every limit and every checkpoint interval, writes never exceed the limit and the batch is the largest that fits', () => {
  for (let max = 6; max <= 600; max++) {
    for (const every of [1, 2, 3, 5, 8, 13, 100, 1000]) {
      const n = chainBatchFor(10_000, every, { ...FULL_CAPABILITIES, maxAtomicBatch: max });
      if (chainWrites(n, every) > max || chainWrites(n + 1, every) <= max) assert.unreachable(`max ${max}, every ${every}: ${n} rows`);
    }
  }
});

test('chainBatchFor: unbounded backends (SQL) chain what is asked for; maxInList alone limits nothing', () => {
  for (const every of [1, 2, 1000]) {
    assert.is(chainBatchFor(500, every, sqlLike), 500);
    assert.is(chainBatchFor(10_000, every, sqlLike), 10_000);
    assert.is(chainBatchFor(500, every, { ...FULL_CAPABILITIES, maxInList: 30 }), 500);
  }
});

test('chainBatchFor: a limit below one row\'s writes is a ConfigError naming the fix', () => {
  assert.throws(() => chainBatchFor(500, 1, { ...FULL_CAPABILITIES, maxAtomicBatch: 5 }), (e: unknown) => e instanceof ConfigError && /maxBatchOps/.test(e.message));
  assert.is(chainBatchFor(500, 1, { ...FULL_CAPABILITIES, maxAtomicBatch: 6 }), 1);
});

/** The driver session with the rows each transaction writes counted (inserted rows and updated rows). */
function countingWrites(session: DriverSession, perTransaction: number[]): DriverSession {
  const counted = (tx: DriverSession, add: (n: number) => void): DriverSession => ({
    getByIds: (...a) => tx.getByIds(...a),
    query: (...a) => tx.query(...a),
    count: (...a) => tx.count(...a),
    insert: async (schema, rows, options) => { add(rows.length); return tx.insert(schema, rows, options); },
    update: async (...a) => { const rows = await tx.update(...a); add(rows.length); return rows; },
    delete: async (...a) => { const ids = await tx.delete(...a); add(ids.length); return ids; },
    upsert: async (...a) => { add(1); return tx.upsert(...a); },
    transaction: (...a) => tx.transaction(...a),
  });
  return {
    ...counted(session, () => undefined),
    transaction: (fn, options) => session.transaction(async (tx) => {
      let writes = 0;
      const out = await fn(counted(tx, (n) => (writes += n)));
      perTransaction.push(writes);
      return out;
    }, options),
  };
}

test('the chainer, given chainBatchFor\'s batch, never writes more than maxAtomicBatch rows in one transaction', async () => {
  const max = 20;
  for (const every of [1, 2, 3, 1000]) {
    const schemas = outboxSchemas('audit', { table: 'ev', linkTable: 'ln', headTable: 'hd', checkpointTable: 'cp', chainBatch: 500, chainDelayMs: 0 });
    const driver = memoryDriver();
    await driver.connect();
    await driver.ensureSchema([schemas.events, schemas.links, schemas.head, schemas.checkpoints], { mode: 'apply' });
    const time = new Date();
    const rows: StoredRow[] = Array.from({ length: 50 }, (_, i) => ({ id: orderedId(), batch: null, time, event: { v: 1, type: 'audit', time: time.toISOString(), action: `a${i}` } }));
    await driver.insert(schemas.events, rows, {});
    const perTransaction: number[] = [];
    const batch = chainBatchFor(500, every, { ...FULL_CAPABILITIES, maxAtomicBatch: max });
    const chainer = new OutboxChainer(countingWrites(driver, perTransaction), schemas, { stream: 's', batch, checkpointEvery: every });
    assert.is(await chainer.chainAll(), 50);
    assert.ok(perTransaction.length > 1, `every ${every}: several transactions`);
    assert.ok(Math.max(...perTransaction) <= max, `every ${every}: writes per transaction ${perTransaction.join(', ')}`);
    assert.is(await driver.count(schemas.checkpoints, undefined, {}), Math.floor(50 / every));
    await driver.close();
  }
});

test.run();
