import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AbortedError, createDatabase, defineRepository, f, TimeoutError } from '@chatcore/core';
import { pglite } from '../src/index.js';

const users = defineRepository('users', { id: f.id(), name: f.string(), version: f.version() });
const documents = defineRepository('documents', { id: f.id(), body: f.text() });
const driver = pglite({});
const db = createDatabase({ driver, repositories: { users, documents } });
await db.connect();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A transaction that holds PGlite's one connection until `release()`; `held`
 * resolves once it does. Released by the test, not after a fixed time: on a
 * loaded machine the callers below may not have given up within any given time.
 */
function holdConnection(): { held: Promise<void>; release: () => void; done: Promise<void> } {
  let holding!: () => void;
  let release!: () => void;
  const held = new Promise<void>((r) => { holding = r; });
  const released = new Promise<void>((r) => { release = r; });
  const done = db.transaction(async (tx) => {
    await tx.users.count();
    holding();
    await released;
  }, { timeout: 120_000 });
  return { held, release, done };
}

test('writes whose caller gave up while they waited for the connection leave the queue and are never run', async () => {
  const { held, release, done } = holdConnection();
  await held;
  const timedOut = db.users.create({ name: 'timed out' }, { timeout: 100 }).then(() => 'ok', (err: unknown) => err);
  const controller = new AbortController();
  const patient = db.users.count({ name: 'timed out' });
  const abortedCreate = db.users.createMany([{ name: 'aborted 1' }, { name: 'aborted 2' }], { signal: controller.signal }).then(() => 'ok', (err: unknown) => err);
  await sleep(50);
  controller.abort();
  assert.instance(await timedOut, TimeoutError);
  assert.instance(await abortedCreate, AbortedError);
  // Only the read whose caller did not give up is still waiting for the connection.
  assert.is(driver.executor.stats?.().waiting, 1, 'the callers that gave up left the queue');
  release();
  await done;
  assert.is(await patient, 0);
  await sleep(100);
  assert.is(await db.users.count({ name: { in: ['timed out', 'aborted 1', 'aborted 2'] } }), 0, 'nothing was written after its caller gave up');
});

test('transactions whose caller gave up while they waited for the connection leave the queue and never start', async () => {
  const { held, release, done } = holdConnection();
  await held;
  const started: string[] = [];
  const timedOut = db.transaction(async (tx) => {
    started.push('timed out');
    await tx.users.create({ name: 'tx timed out' });
  }, { timeout: 100 }).then(() => 'ok', (err: unknown) => err);
  const controller = new AbortController();
  const aborted = db.transaction(async (tx) => {
    started.push('aborted');
    await tx.users.create({ name: 'tx aborted' });
  }, { signal: controller.signal }).then(() => 'ok', (err: unknown) => err);
  const patient = db.users.count({ name: 'tx timed out' });
  // Over PGlite's statement size: several statements in one transaction of the driver's own.
  const bulky = Array.from({ length: 6 }, () => ({ body: 'x'.repeat(1024 * 1024) }));
  const bulk = db.documents.createMany(bulky, { timeout: 100 }).then(() => 'ok', (err: unknown) => err);
  await sleep(50);
  controller.abort();
  assert.instance(await timedOut, TimeoutError);
  assert.instance(await aborted, AbortedError);
  assert.instance(await bulk, TimeoutError);
  assert.is(driver.executor.stats?.().waiting, 1, 'only the read whose caller did not give up still waits');
  release();
  await done;
  assert.is(await patient, 0);
  await sleep(100);
  assert.equal(started, [], 'no callback of a given-up transaction ran');
  assert.is(await db.users.count({ name: { in: ['tx timed out', 'tx aborted'] } }), 0, 'nothing was written after its caller gave up');
  assert.is(await db.documents.count(), 0);
});

test.after(() => db.close());
test.run();
