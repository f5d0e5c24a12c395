import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { useFirestoreEmulator } from '../src/testing/index.js';
import { testDriver, suffix } from './helpers/emulator.js';

const emulator = await useFirestoreEmulator();
const counters = defineRepository('counters', { id: f.id(), value: f.integer(), version: f.version() }, { table: `counters_${suffix()}` });
const db = createDatabase({ driver: testDriver(emulator, { maxTransactionAttempts: 50 }), repositories: { counters } });
await db.connect();

test('two transactions incrementing one document concurrently, 50 times each, end at exactly 100', async () => {
  const c = await db.counters.create({ value: 0 });
  let attempts = 0;
  const worker = async (mode: 'increment' | 'read-modify-write') => {
    for (let i = 0; i < 50; i++) {
      await db.transaction(async (tx) => {
        attempts++;
        if (mode === 'increment') {
          await tx.counters.update(c.id, { value: { increment: 1 } } as never);
        } else {
          // Read, then write what was read plus one: only correct if the transaction isolates.
          const cur = await tx.counters.get(c.id);
          await tx.counters.update(c.id, { value: (cur!.value as number) + 1 });
        }
      });
    }
  };
  await Promise.all([worker('increment'), worker('read-modify-write')]);
  const final = await db.counters.get(c.id);
  assert.is(final!.value, 100);
  assert.is(final!.version, 101);
  assert.ok(attempts >= 100);
});

test('plain updates with an increment from two writers at once lose nothing', async () => {
  const c = await db.counters.create({ value: 0 });
  await Promise.all(Array.from({ length: 20 }, () => db.counters.update(c.id, { value: { increment: 1 } } as never)));
  assert.is((await db.counters.get(c.id))!.value, 20);
});

test.after(async () => {
  await db.counters.deleteMany({});
  await db.close();
  await emulator.stop();
});
test.run();
