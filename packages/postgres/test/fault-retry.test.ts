import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionError, createDatabase, defineRepository, f } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '../src/index.js';
import { createCluster, startProxy, type TestCluster, type TestProxy } from './helpers/cluster.js';

await requireService('postgres');

const cluster: TestCluster = await createCluster('cc_retry', 25448);
const proxy: TestProxy = await startProxy(cluster.port);
const counters = defineRepository('counters', { id: f.id(), name: f.string(), count: f.integer() }, { table: 'counters' });
const notes = defineRepository('notes', { id: f.id(), body: f.string() }, { table: 'notes' });
const driver = postgres({ url: `postgres://postgres@127.0.0.1:${proxy.port}/postgres`, poolSize: 6, retry: { maxRetries: 4, initialDelay: 20, maxDelay: 200 } });
const slowCounters = defineRepository('slowCounters', { id: f.id(), name: f.string(), count: f.integer() }, { table: 'slow_counters' });
const db = createDatabase({ driver, repositories: { counters, notes, slowCounters }, schemaMode: 'off' });
await driver.ensureSchema([counters.schema, notes.schema], { mode: 'apply' });
await db.connect();

// Writes that take 400 ms on the server, so that the connection can be cut while one is in flight.
await cluster.sql(`create function cc_slow() returns trigger language plpgsql as $$
  begin perform pg_sleep(0.4); return new; end $$`);
await cluster.sql("create trigger cc_slow_counters after update on counters for each row when (new.name like 'slow%') execute function cc_slow()");
// A read that takes 300 ms on the server, so that its session can be killed while it runs.
await cluster.sql('create view slow_counters as select c.* from counters c cross join lateral (select pg_sleep(0.3)) s');
await cluster.sql("create trigger cc_slow_notes after insert on notes for each row when (new.body like 'slow%') execute function cc_slow()");

const countOf = async (id: string) => Number((await cluster.sql('select count from counters where id = $1', [id]))[0]!.count);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait until the server is running a statement matching `pattern` (so a cut lands mid-statement). */
async function waitForActive(pattern: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const rows = await cluster.sql("select count(*)::int as n from pg_stat_activity where state = 'active' and query ilike $1 and pid <> pg_backend_pid()", [pattern]);
    if (rows[0]!.n > 0) return;
    await sleep(5);
  }
  throw new Error(`no active statement like ${pattern}`);
}

/** Resolves once `n` first attempts have arrived (retries pass straight through). */
function barrier(n: number) {
  let arrived = 0;
  let open!: () => void;
  const all = new Promise<void>((r) => { open = r; });
  return async (attempt: number) => {
    if (attempt > 1) return;
    if (++arrived === n) open();
    await all;
  };
}

test('serialization failures (40001) re-run the whole transaction function: both increments land, no lost update', async () => {
  const c = await db.counters.create({ name: 'ser', count: 0 });
  const attempts: number[] = [];
  const bothRead = barrier(2);
  const bump = () => db.transaction(async (tx) => {
    attempts.push(tx.attempt);
    const cur = await tx.counters.get(c.id);
    await bothRead(tx.attempt);
    await tx.counters.update(c.id, { count: cur!.count + 1 });
  }, { isolation: 'serializable' });
  await Promise.all([bump(), bump()]);
  assert.is(await countOf(c.id), 2);
  assert.ok(attempts.some((a) => a > 1), `one function ran again (attempts ${attempts.join(',')})`);
});

test('a deadlock (40P01) re-runs the transaction that lost; both transactions commit once', async () => {
  const [a, b] = await db.counters.createMany([{ name: 'dl-a', count: 0 }, { name: 'dl-b', count: 0 }]);
  const attempts: number[] = [];
  const bothLocked = barrier(2);
  const cross = (first: string, second: string) => db.transaction(async (tx) => {
    attempts.push(tx.attempt);
    await tx.counters.update(first, { count: { increment: 1 } });
    await bothLocked(tx.attempt);
    await tx.counters.update(second, { count: { increment: 1 } });
  });
  await Promise.all([cross(a!.id, b!.id), cross(b!.id, a!.id)]);
  assert.equal([await countOf(a!.id), await countOf(b!.id)], [2, 2]);
  assert.ok(attempts.some((n) => n > 1), `the deadlock victim ran again (attempts ${attempts.join(',')})`);
});

test('a connection lost inside a transaction before COMMIT re-runs the function; the increment is applied once', async () => {
  const c = await db.counters.create({ name: 'tx-cut', count: 0 });
  const attempts: number[] = [];
  let updated!: () => void;
  const firstUpdateDone = new Promise<void>((r) => { updated = r; });
  const run = db.transaction(async (tx) => {
    attempts.push(tx.attempt);
    await tx.counters.update(c.id, { count: { increment: 1 } });
    if (tx.attempt === 1) {
      updated();
      await sleep(300);
    }
    await tx.counters.get(c.id);
  });
  await firstUpdateDone;
  proxy.cut();
  await run;
  assert.equal(attempts, [1, 2]);
  assert.is(await countOf(c.id), 1);
});

test('an autocommit increment whose connection is lost is never retried blindly: ConnectionError, applied at most once', async () => {
  const c = await db.counters.create({ name: 'slow-inc', count: 0 });
  const pending = db.counters.update(c.id, { count: { increment: 1 } });
  await waitForActive('update%counters%');
  proxy.cut();
  try {
    await pending;
    assert.unreachable('the outcome is unknown to the client, so it must not be reported as success or retried');
  } catch (err) {
    assert.instance(err, ConnectionError);
    assert.match((err as Error).message, /may or may not/);
  }
  // The server finishes the statement on its own (its trigger sleeps 0.4 s): wait for the commit
  // with room for a loaded machine, then make sure no second application follows.
  for (let waited = 0; waited < 10_000 && (await countOf(c.id)) === 0; waited += 100) await sleep(100);
  await sleep(500);
  assert.is(await countOf(c.id), 1, 'the server committed it once; no second application');
});

test('an insert whose connection is lost is checked by id and sent again only if absent: exactly one row, call succeeds', async () => {
  const errorsBefore = Number(driver.executor.stats?.().connectionErrors);
  const pending = db.notes.create({ body: 'slow insert' });
  await waitForActive('insert%notes%');
  proxy.cut();
  const note = await pending;
  assert.ok(Number(driver.executor.stats?.().connectionErrors) > errorsBefore, 'the insert really lost its connection');
  const rows = await cluster.sql('select count(*)::int as n from notes where id = $1', [note.id]);
  assert.is(rows[0]!.n, 1);
});

test('reads are retried across a cut connection and succeed', async () => {
  const c = await db.counters.create({ name: 'read', count: 7 });
  const reads = Array.from({ length: 8 }, () => db.counters.get(c.id));
  proxy.cut();
  for (const r of await Promise.all(reads)) assert.is(r?.count, 7);
});

test('an aggregate whose session is killed (pg_terminate_backend) while it runs is retried like any read', async () => {
  await db.counters.create({ name: 'agg', count: 5 });
  const pending = db.slowCounters.aggregate({ where: { name: 'agg' }, sum: ['count'] });
  await waitForActive('%slow_counters%');
  await cluster.sql("select pg_terminate_backend(pid) from pg_stat_activity where query ilike '%slow_counters%' and pid <> pg_backend_pid()");
  const [totals] = await pending;
  assert.is(totals?.sum.count, 5);
});

test.after(async () => {
  await db.close().catch(() => undefined);
  await proxy.close();
  await cluster.drop();
});

test.run();
