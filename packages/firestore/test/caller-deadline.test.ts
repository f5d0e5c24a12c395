import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError, createDatabase, defineRepository, f, PartialWriteError, TimeoutError } from '@chatcore/core';
import { useFirestoreEmulator } from '../src/testing/index.js';
import { testDriver, suffix } from './helpers/emulator.js';

const emulator = await useFirestoreEmulator();
const notes = defineRepository('notes', { id: f.id(), body: f.text() }, { table: `deadline_${suffix()}` });
const db = createDatabase({ driver: testDriver(emulator), repositories: { notes } });
await db.connect();

test('a transaction whose timeout passes while it runs commits nothing and is not run again', async () => {
  let attempts = 0;
  // 3 s, not less: the transaction must have begun on the emulator (a round trip, slow on loaded cores) before
  // its timeout passes, or the callback never runs and the test proves nothing.
  const error = await db.transaction(async (tx) => {
    attempts++;
    await tx.notes.create({ body: 'late' });
    await sleep(3500);
  }, { timeout: 3000 }).catch((e: unknown) => e);
  assert.instance(error, TimeoutError);
  await sleep(1500); // the abandoned attempt returns and would commit now
  assert.is(await db.notes.count({ body: 'late' }), 0);
  assert.is(attempts, 1);
});

test('a transaction whose signal fires while it runs commits nothing', async () => {
  const controller = new AbortController();
  const error = await db.transaction(async (tx) => {
    await tx.notes.create({ body: 'aborted' });
    controller.abort();
    await sleep(200);
  }, { signal: controller.signal }).catch((e: unknown) => e);
  assert.instance(error, AbortedError);
  await sleep(1000);
  assert.is(await db.notes.count({ body: 'aborted' }), 0);
});

test('a bulk write cut by its signal after a chunk committed raises PartialWriteError with the ids written', async () => {
  const driver = testDriver(emulator, { maxBatchOps: 1 }); // one transaction per document
  const rows = [{ id: `pw-a-${suffix()}`, body: 'bulk' }, { id: `pw-b-${suffix()}`, body: 'bulk' }];
  await driver.insert(notes.schema, rows, {});
  // The signal fires as soon as the first chunk's transaction has committed.
  const controller = new AbortController();
  const runTransaction = driver.firestore.runTransaction.bind(driver.firestore);
  driver.firestore.runTransaction = (async (...args: Parameters<typeof runTransaction>) => {
    try {
      return await runTransaction(...args);
    } finally {
      controller.abort();
    }
  }) as typeof runTransaction;
  const error = await driver.delete(notes.schema, { ids: rows.map((r) => r.id) }, { signal: controller.signal }).catch((e: unknown) => e);
  assert.instance(error, PartialWriteError, String(error));
  assert.equal((error as PartialWriteError).writtenIds, [rows[0]!.id]);
  assert.instance((error as PartialWriteError).cause, AbortedError);
  assert.equal((await driver.getByIds(notes.schema, rows.map((r) => r.id), {})).map((r) => r.id), [rows[1]!.id]);
  await driver.close();
});

test('calls within their timeout are unaffected', async () => {
  const created = await db.notes.create({ body: 'in time' }, { timeout: '10s' });
  assert.is((await db.notes.get(created.id, { timeout: 10_000 }))?.body, 'in time');
  const n = await db.transaction(async (tx) => tx.notes.count({ body: 'in time' }), { timeout: '10s' });
  assert.is(n, 1);
});

test.after(async () => {
  await db.notes.deleteMany({});
  await db.close();
  await emulator.stop();
});
test.run();
