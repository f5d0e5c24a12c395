import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionError, createDatabase, defineRepository, f } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '../src/index.js';
import { createCluster, startProxy, type TestCluster, type TestProxy } from './helpers/cluster.js';

await requireService('postgres');

const cluster: TestCluster = await createCluster('cc_retry', 55448);
const proxy: TestProxy = await startProxy(cluster.port);
const counters = defineRepository('counters', { id: f.id(), name: f.string(), count: f.integer() }, { table: 'counters' });
const notes = defineRepository('notes', { id: f.id(), body: f.string() }, { table: 'notes' });
const driver = postgres({ url: `postgres://postgres@127.0.0.1:${proxy.port}/postgres`, poolSize: 6, retry: { maxRetries: 4, initialDelayMs: 20, maxDelayMs: 200 } });
const db = createDatabase({ driver, repositories: { counters, notes } });
await db.connect();

// Writes that take 400 ms on the server, so that the connection can be cut while one is in flight.
await cluster.sql(`create function cc_slow() returns trigger language plpgsql as $$
  begin perform pg_sleep(0.4); return new; end $$`);
await cluster.sql("create trigger cc_slow_counters after update on counters for each row when (new.name like 'slow%') execute function cc_slow()");
await cluster.sql("create trigger cc_slow_notes after insert on notes for each row when (new.body like 'slow%') execute function cc_slow()");

const countOf = async (id: string) => Number((await cluster.sql('select count from counters where id = $1', [id]))[0]!.count);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('serialization failures (40001) re-run the whole transaction function: both increments land, no lost update', async () => {
  const c = await db.counters.create({ name: 'ser', count: 0 });
  const attempts: number[] = [];
  const bump = () => db.transaction(async (tx) => {
    attempts.push(tx.attempt);
    const cur = await tx.counters.get(c.id);
    await sleep(50);
    await tx.counters.update(c.id, { count: cur!.count + 1 });
  }, { isolation: 'serializable' });
  await Promise.all([bump(), bump()]);
  assert.is(await countOf(c.id), 2);
  assert.ok(attempts.some((a) => a > 1), `one function ran again (attempts ${attempts.join(',')})`);
});

test('a deadlock (40P01) re-runs the transaction that lost; both transactions commit once', async () => {
  const [a, b] = await db.counters.createMany([{ name: 'dl-a', count: 0 }, { name: 'dl-b', count: 0 }]);
  const cross = (first: string, second: string) => db.transaction(async (tx) => {
    await tx.counters.update(first, { count: { increment: 1 } });
    await sleep(100);
    await tx.counters.update(second, { count: { increment: 1 } });
  });
  await Promise.all([cross(a!.id, b!.id), cross(b!.id, a!.id)]);
  assert.equal([await countOf(a!.id), await countOf(b!.id)], [2, 2]);
});

test('a connection lost inside a transaction before COMMIT re-runs the function; the increment is applied once', async () => {
  const c = await db.counters.create({ name: 'tx-cut', count: 0 });
  const attempts: number[] = [];
  const run = db.transaction(async (tx) => {
    attempts.push(tx.attempt);
    await tx.counters.update(c.id, { count: { increment: 1 } });
    await sleep(300);
    await tx.counters.get(c.id);
  });
  await sleep(100);
  proxy.cut();
  await run;
  assert.equal(attempts, [1, 2]);
  assert.is(await countOf(c.id), 1);
});

test('an autocommit increment whose connection is lost is never retried blindly: ConnectionError, applied at most once', async () => {
  const c = await db.counters.create({ name: 'slow-inc', count: 0 });
  const pending = db.counters.update(c.id, { count: { increment: 1 } });
  await sleep(150);
  proxy.cut();
  try {
    await pending;
    assert.unreachable('the outcome is unknown to the client, so it must not be reported as success or retried');
  } catch (err) {
    assert.instance(err, ConnectionError);
    assert.match((err as Error).message, /may or may not/);
  }
  await sleep(500);
  assert.is(await countOf(c.id), 1, 'the server committed it once; no second application');
});

test('an insert whose connection is lost is checked by id and sent again only if absent: exactly one row, call succeeds', async () => {
  const errorsBefore = Number(driver.executor.stats?.().connectionErrors);
  const pending = db.notes.create({ body: 'slow insert' });
  await sleep(150);
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

test.after(async () => {
  await db.close().catch(() => undefined);
  await proxy.close();
  await cluster.drop();
});

test.run();
