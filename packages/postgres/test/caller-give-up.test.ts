import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AbortedError, createDatabase, defineRepository, f, TimeoutError, type Driver } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { sqlDriver } from '@chatcore/sql';
import { dropTables, suffix } from '@chatcore/sql/testing';
import { createPool, PoolExecutor, postgres, type PostgresConfig } from '../src/index.js';
import { startProxy } from './helpers/cluster.js';
import { PG_URL, testConfig } from './helpers/pg-config.js';

await requireService('postgres');

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));

const items = defineRepository('items', { id: f.id(), title: f.string(), version: f.version() }, { table: `giveup_${suffix()}` });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const opened: Array<{ close(): Promise<void> }> = [];

test.before(async () => {
  const setup = createDatabase({ driver: postgres(testConfig({ poolSize: 1 })), repositories: { items } });
  opened.push(setup);
  await setup.connect();
});

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

type StatsDriver = Driver & { executor: { stats(): Readonly<Record<string, unknown>> } };

/** The test server behind a proxy whose new connections reach it only after `delayMs` (or never, blackholed). */
async function slowServer() {
  const target = new URL(PG_URL);
  const proxy = await startProxy(Number(target.port || 5432));
  target.hostname = '127.0.0.1';
  target.port = String(proxy.port);
  opened.push(proxy);
  return { proxy, url: target.toString() };
}

async function until(what: string, check: () => boolean, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > deadline) assert.unreachable(`${what} within ${withinMs} ms`);
    await sleep(25);
  }
}

/** A signal that fires after `ms` with `reason`, as core's per-call deadline does. */
function giveUpAfter(ms: number, reason: Error): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(reason), ms);
  return controller.signal;
}

/**
 * Driver calls whose signal fires while the pool opens a new connection for them (the server is
 * slow to accept): each fails at once with its signal's reason, as when it gives up in the pool's
 * queue, and the connections opened for them go back to the pool.
 */
async function giveUpWhileConnecting(open: (config: PostgresConfig) => StatsDriver) {
  const { proxy, url } = await slowServer();
  proxy.delayMs = 2500;
  const driver = open({ url, poolSize: 2, connectTimeout: 10_000 });
  opened.push(driver);
  const stats = () => driver.executor.stats();
  const started: string[] = [];
  const timedOut = new TimeoutError('The operation did not finish within 200 ms.');
  const aborted = new AbortedError();
  const t0 = performance.now();
  const read = driver.count(items.schema, undefined, { idempotent: true, signal: giveUpAfter(200, timedOut), timeoutMs: 200 }).then(() => 'ok', (err: unknown) => err);
  const tx = driver.transaction(async () => {
    started.push('tx');
  }, { signal: giveUpAfter(200, aborted) }).then(() => 'ok', (err: unknown) => err);
  const readErr = await read;
  const readTook = performance.now() - t0;
  const txErr = await tx;
  const txTook = performance.now() - t0;
  assert.is(readErr, timedOut, String(readErr));
  assert.is(txErr, aborted, String(txErr));
  assert.ok(readTook < 1500 && txTook < 1500, `released after ${readTook.toFixed(0)} / ${txTook.toFixed(0)} ms, not at the end of the 2.5 s connect`);
  assert.equal({ total: stats().total, waiting: stats().waiting }, { total: 2, waiting: 0 }, 'the two connections are still being opened; nobody waits');
  await until('both connections opened for calls that gave up are idle in the pool', () => stats().idle === 2, 6000);
  assert.is(stats().total, 2);
  proxy.delayMs = 0;
  const counts = await Promise.all([1, 2, 3].map(() => driver.count(items.schema, undefined, { idempotent: true, signal: new AbortController().signal })));
  assert.equal(counts, [0, 0, 0], 'the pool serves the next calls');
  assert.equal({ total: stats().total, idle: stats().idle, waiting: stats().waiting }, { total: 2, idle: 2, waiting: 0 });
  assert.equal(started, [], 'the transaction given up never ran');
  assert.equal(unhandled, []);
}

test('postgres(): a call given up while its new connection is opened fails at once; the connection joins the pool', async () => {
  await giveUpWhileConnecting((config) => postgres(config));
});

test('PoolExecutor: a call given up while its new connection is opened fails at once; the connection joins the pool', async () => {
  await giveUpWhileConnecting((config) => sqlDriver({ name: 'postgres', executor: new PoolExecutor(createPool(config)) }) as StatsDriver);
});

test('postgres(): a connect given up by its caller that then fails still counts against the server, and the pool recovers', async () => {
  const { proxy, url } = await slowServer();
  proxy.mode = 'blackhole';
  const driver = postgres({ url, poolSize: 1, connectTimeout: 1500, retry: false, breaker: { failures: 1 } });
  opened.push(driver);
  const stats = () => driver.executor.stats();
  const timedOut = new TimeoutError('The operation did not finish within 200 ms.');
  const t0 = performance.now();
  const err = await driver.count(items.schema, undefined, { idempotent: true, signal: giveUpAfter(200, timedOut) }).then(() => 'ok', (e: unknown) => e);
  const took = performance.now() - t0;
  assert.is(err, timedOut, String(err));
  assert.ok(took < 1000, `released after ${took.toFixed(0)} ms, before the 1.5 s connect timeout`);
  await until('the abandoned connect has failed', () => stats().total === 0, 3000);
  assert.is(stats().connectionErrors, 1, 'the failed connect is counted');
  assert.is(stats().breaker, 'open', 'and is evidence for the breaker');
  proxy.mode = 'forward';
  await until('the breaker closes once the server answers', () => stats().breaker === 'closed', 3000);
  assert.is(await driver.count(items.schema, undefined, { idempotent: true }), 0);
  assert.equal({ total: stats().total, idle: stats().idle, waiting: stats().waiting }, { total: 1, idle: 1, waiting: 0 });
  assert.equal(unhandled, []);
});

test.after(async () => {
  for (const d of opened) await d.close().catch(() => undefined);
  const admin = postgres(testConfig({ poolSize: 1 }));
  await dropTables(admin.executor, [items.schema.table]);
  await admin.close();
});

test.run();
