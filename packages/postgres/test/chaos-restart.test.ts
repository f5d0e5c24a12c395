import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionError, createDatabase, defineRepository, f } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '../src/index.js';
import { createCluster, type TestCluster } from './helpers/cluster.js';
import { firstSuccessAfter, percentile, seedCounters, slowStatements, startLoad, tally, verifyLoad, waitFor, watchAcceptance, type CallKind } from './helpers/chaos-load.js';

await requireService('postgres');

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));
process.on('uncaughtException', (err) => unhandled.push(err));

const cluster: TestCluster = await createCluster('cc_chaos_restart', 25453);
const counters = defineRepository('counters', { id: f.id(), name: f.string(), count: f.integer() }, { table: 'counters' });
const notes = defineRepository('notes', { id: f.id(), body: f.string() }, { table: 'notes' });
// Reads go through a view that spends 30 ms on the server, as updates and inserts do (their triggers).
const counterView = defineRepository('counterView', { id: f.id(), name: f.string(), count: f.integer() }, { table: 'counters_slow' });
// Default settings (pool of 10, breaker halfOpenAfter 2s): recovery must not wait for the half-open interval.
const driver = postgres({ url: cluster.url(), applicationName: 'cc-chaos-restart' });
const db = createDatabase({ driver, repositories: { counters, notes, counterView }, schemaMode: 'off' });
await driver.ensureSchema([counters.schema, notes.schema], { mode: 'apply' });
await slowStatements(cluster, 30);
const repos = { counters: { get: (id: string) => db.counterView.get(id), update: db.counters.update.bind(db.counters) }, notes: db.notes };

const READERS = 16;
const WRITERS = 4;
// Reads must be back within 500 ms of the server accepting connections. The slowest reader also
// waits for its new connection, which the loaded 2-core machine forks at ~25 ms each: its bound is wider.
const RECOVERY_MS = 500;
const SLOWEST_READER_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Workers 0-15 only read (16 reads in flight); workers 16-19 increment and create.
const mix = (w: number, i: number): CallKind => (w < READERS ? 'read' : i % 2 ? 'increment' : 'create');

test('fast restart under load: reads at 16 in flight succeed within 500 ms of the server accepting connections; nothing lost or applied twice', async () => {
  const ids = await seedCounters(db, 'restart');
  const load = startLoad(repos, ids, { workers: READERS + WRITERS, mix });
  await waitFor(() => load.records.length >= 300);
  await waitFor(() => load.inFlight() >= 16);
  const watch = watchAcceptance(cluster);
  const restartAt = performance.now();
  await cluster.restart();
  const accepting = await watch.accepting;
  watch.stop();
  await sleep(1500);
  const records = await load.stop();
  const recovery = firstSuccessAfter(records, 'read', accepting);
  const outage = records.filter((r) => r.ended >= restartAt && r.ended <= accepting);
  const check = await verifyLoad(cluster, records, ids);
  console.log(`  fast restart: server back ${(accepting - restartAt).toFixed(0)} ms after the restart began; first good read per reader after it accepted: p50 ${percentile(recovery, 0.5).toFixed(0)} ms, max ${Math.max(...recovery).toFixed(0)} ms (${recovery.length} readers); calls during the outage ${JSON.stringify(tally(outage))}; ${JSON.stringify(check)}`);
  assert.is(recovery.length, READERS, 'every reader read again');
  assert.ok(percentile(recovery, 0.5) <= RECOVERY_MS, `readers back after ${percentile(recovery, 0.5).toFixed(0)} ms (p50)`);
  assert.ok(Math.max(...recovery) <= SLOWEST_READER_MS, `slowest reader back after ${Math.max(...recovery).toFixed(0)} ms`);
  assert.equal(unhandled, []);
});

test('server stopped for 10 s, then started: the breaker opens and calls fail fast; reads at 16 in flight succeed within 500 ms of the server accepting; nothing lost or applied twice', async () => {
  const ids = await seedCounters(db, 'stop');
  const load = startLoad(repos, ids, { workers: READERS + WRITERS, mix });
  await waitFor(() => load.records.length >= 300);
  const watch = watchAcceptance(cluster);
  await cluster.stop();
  const stopAt = await watch.refused;
  await sleep(10_000);
  const startAt = performance.now();
  await cluster.start();
  const accepting = await watch.accepting;
  watch.stop();
  await sleep(1500);
  const records = await load.stop();
  const recovery = firstSuccessAfter(records, 'read', accepting);
  // Calls made while the server was down, once the breaker had had time to open.
  const down = records.filter((r) => r.started >= stopAt + 500 && r.ended <= startAt);
  const fastFails = down.filter((r) => r.error instanceof ConnectionError && r.error.info.breaker === 'open').map((r) => r.ended - r.started);
  const check = await verifyLoad(cluster, records, ids);
  console.log(`  stop 10 s: ${down.length} calls while down (${JSON.stringify(tally(down))}); breaker-open fast-fail p50 ${percentile(fastFails, 0.5).toFixed(2)} ms, max ${Math.max(...fastFails).toFixed(1)} ms; first good read per reader after the server accepted: p50 ${percentile(recovery, 0.5).toFixed(0)} ms, max ${Math.max(...recovery).toFixed(0)} ms; ${JSON.stringify(check)}`);
  assert.ok(fastFails.length >= down.length * 0.9, `${fastFails.length} of ${down.length} calls while the server was down failed fast on the open breaker`);
  assert.ok(percentile(fastFails, 0.5) < 5, `fast-fail p50 ${percentile(fastFails, 0.5).toFixed(2)} ms`);
  assert.is(recovery.length, READERS, 'every reader read again');
  assert.ok(percentile(recovery, 0.5) <= RECOVERY_MS, `readers back after ${percentile(recovery, 0.5).toFixed(0)} ms (p50)`);
  assert.ok(Math.max(...recovery) <= SLOWEST_READER_MS, `slowest reader back after ${Math.max(...recovery).toFixed(0)} ms`);
  assert.is(driver.breakerState(), 'closed');
  assert.equal(unhandled, []);
});

test.after(async () => {
  await db.close().catch(() => undefined);
  await cluster.drop();
});

test.run();
