import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AbortedError, createDatabase, defineRepository, f, TimeoutError, type Driver } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { sqlDriver } from '@chatcore/sql';
import { dropTables, suffix } from '@chatcore/sql/testing';
import { createPool, PoolExecutor, postgres } from '../src/index.js';
import { testConfig } from './helpers/pg-config.js';

await requireService('postgres');

const items = defineRepository('items', { id: f.id(), title: f.string(), version: f.version() }, { table: `giveup_${suffix()}` });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const opened: Array<{ close(): Promise<void> }> = [];

/** Callers that give up while a transaction holds the pool's one connection; what was left waiting, run or written. */
async function giveUpWhileWaiting(driver: Driver & { executor: { stats?(): Readonly<Record<string, unknown>> } }) {
  const db = createDatabase({ driver, repositories: { items } });
  opened.push(db);
  await db.connect();
  let holding!: () => void;
  const held = new Promise<void>((r) => { holding = r; });
  const done = db.transaction(async (tx) => {
    await tx.items.count();
    holding();
    await sleep(600);
  });
  await held;
  const started: string[] = [];
  const timedOut = db.transaction(async (tx) => {
    started.push('timed out');
    await tx.items.create({ title: 'tx timed out' });
  }, { timeout: 100 }).then(() => 'ok', (err: unknown) => err);
  const controller = new AbortController();
  const aborted = db.transaction(async (tx) => {
    started.push('aborted');
    await tx.items.create({ title: 'tx aborted' });
  }, { signal: controller.signal }).then(() => 'ok', (err: unknown) => err);
  const write = db.items.create({ title: 'write timed out' }, { timeout: 100 }).then(() => 'ok', (err: unknown) => err);
  const patient = db.items.count({ title: 'tx timed out' });
  await sleep(50);
  controller.abort();
  assert.instance(await timedOut, TimeoutError);
  assert.instance(await aborted, AbortedError);
  assert.instance(await write, TimeoutError);
  const waiting = driver.executor.stats?.().waiting;
  await done;
  assert.is(await patient, 0);
  await sleep(200);
  assert.equal(started, [], 'no callback of a given-up transaction ran');
  assert.is(await db.items.count({ title: { in: ['tx timed out', 'tx aborted', 'write timed out'] } }), 0, 'nothing was written after its caller gave up');
  return { waiting };
}

test('postgres(): calls given up while they waited for a pool connection leave the queue and never run', async () => {
  const driver = postgres(testConfig({ poolSize: 1 }));
  const { waiting } = await giveUpWhileWaiting(driver);
  assert.is(waiting, 1, 'only the read whose caller did not give up still waits');
});

test('PoolExecutor: calls given up while they waited for a client leave the queue and never run', async () => {
  const driver = sqlDriver({ name: 'postgres', executor: new PoolExecutor(createPool(testConfig({ poolSize: 1 }))) });
  const { waiting } = await giveUpWhileWaiting(driver);
  assert.is(waiting, 1, 'only the read whose caller did not give up still waits');
});

test.after(async () => {
  for (const d of opened) await d.close().catch(() => undefined);
  const admin = postgres(testConfig({ poolSize: 1 }));
  await dropTables(admin.executor, [items.schema.table]);
  await admin.close();
});

test.run();
