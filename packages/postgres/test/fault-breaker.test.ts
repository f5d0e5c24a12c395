import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionError, createDatabase, defineRepository, f } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '../src/index.js';
import { createCluster, startProxy, waitUntilAccepting, type TestCluster, type TestProxy } from './helpers/cluster.js';

await requireService('postgres');

const cluster: TestCluster = await createCluster('cc_breaker', 25447);
const proxy: TestProxy = await startProxy(cluster.port);
const CONNECT_TIMEOUT = 2000;
const HALF_OPEN_MS = 800;
const items = defineRepository('items', { id: f.id(), title: f.string() }, { table: 'items' });
const opened: Array<{ close(): Promise<void> }> = [];

function open(url: string) {
  const driver = postgres({ url, poolSize: 4, connectTimeout: CONNECT_TIMEOUT, breaker: { failures: 3, halfOpenAfter: HALF_OPEN_MS } });
  const db = createDatabase({ driver, repositories: { items } });
  opened.push(db);
  return { driver, db };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Time `n` calls that must each fail with ConnectionError; returns their durations. */
async function failFast(call: () => Promise<unknown>, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    try {
      await call();
      assert.unreachable('the call should fail while the server is unreachable');
    } catch (err) {
      assert.instance(err, ConnectionError, String(err));
      assert.is((err as ConnectionError).info.breaker, 'open');
    }
    times.push(performance.now() - t0);
  }
  return times;
}

const { db: seedDb } = open(cluster.url());
await seedDb.connect();
const row = await seedDb.items.create({ title: 'seed' });

test('a server that hangs: once the breaker opens, calls fail with ConnectionError well under the connect timeout; it closes after recovery', async () => {
  const { db, driver } = open(`postgres://postgres@127.0.0.1:${proxy.port}/postgres`);
  assert.is((await db.items.get(row.id))?.title, 'seed');
  proxy.mode = 'blackhole';
  proxy.cut();
  // The first callers wait for the connect timeout; their failures open the breaker.
  const first = await Promise.allSettled([1, 2, 3].map(() => db.items.get(row.id)));
  for (const r of first) assert.ok(r.status === "rejected" && r.reason instanceof ConnectionError, String(r.status === "rejected" ? r.reason : "fulfilled"));
  assert.is(driver.breakerState(), 'open');
  const times = await failFast(() => db.items.get(row.id), 25);
  const writes = await failFast(() => db.items.create({ title: 'refused' }), 5);
  const med = median([...times, ...writes]);
  console.log(`  breaker open: median failure ${med.toFixed(2)} ms (max ${Math.max(...times, ...writes).toFixed(1)} ms) vs connect timeout ${CONNECT_TIMEOUT} ms`);
  assert.ok(med < CONNECT_TIMEOUT / 20, `median ${med} ms`);
  const health = await driver.health();
  assert.is(health.status, 'down');
  assert.is(health.components.find((c) => c.name === 'breaker')?.details?.state, 'open');

  proxy.mode = 'forward';
  await new Promise((r) => setTimeout(r, HALF_OPEN_MS + 100));
  assert.is((await db.items.get(row.id))?.title, 'seed', 'the half-open probe succeeds');
  assert.is(driver.breakerState(), 'closed');
  assert.is((await driver.health()).status, 'up');
});

test('sessions lost in one burst count once, and only because a fresh connection failed too; a failed connect then opens the breaker', async () => {
  // Inserts that run 3 s on the server: all four are still running when their connections are cut.
  await cluster.sql("create or replace function cc_slow() returns trigger language plpgsql as $$ begin perform pg_sleep(3); return new; end $$");
  await cluster.sql("create trigger cc_slow_items before insert on items for each row when (new.title like 'slow%') execute function cc_slow()");
  const driver = postgres({ url: `postgres://postgres@127.0.0.1:${proxy.port}/postgres`, poolSize: 4, connectTimeout: 500, retry: false, breaker: { failures: 2, halfOpenAfter: 60_000 } });
  const db = createDatabase({ driver, repositories: { items } });
  opened.push(db);
  await db.connect();
  const inserts = [1, 2, 3, 4].map((i) => db.items.create({ title: `slow ${i}` }).then(() => undefined, (e: unknown) => e));
  let active = 0;
  for (let i = 0; i < 400 && active < 4; i++) {
    active = (await cluster.sql("select count(*)::int as n from pg_stat_activity where state = 'active' and query ilike 'insert%items%'"))[0]!.n as number;
    if (active < 4) await new Promise((r) => setTimeout(r, 5));
  }
  assert.is(active, 4, 'four inserts running on the server');
  proxy.mode = 'blackhole';
  proxy.cut();
  const lost = await Promise.all(inserts);
  for (const e of lost) assert.instance(e, ConnectionError, String(e));
  // The fresh connection that checks the burst waits out the 500 ms connect timeout on the silent server, then counts once.
  await new Promise((r) => setTimeout(r, 900));
  assert.is(driver.breakerState(), 'closed', 'four lost sessions counted as one failure (failures 2)');
  for (const e of lost) assert.is((e as ConnectionError).info.evidence, 'session');
  // A call that cannot connect is evidence of its own: the second failure opens the breaker.
  try {
    await db.items.get(row.id);
    assert.unreachable('the server does not answer');
  } catch (err) {
    assert.instance(err, ConnectionError);
    assert.is((err as ConnectionError).info.evidence, 'server');
  }
  assert.is(driver.breakerState(), 'open');
  proxy.mode = 'forward';
  // Background probes (a fresh connection every 50 ms) close it without any caller, long before the 60 s half-open interval.
  const since = performance.now();
  while (driver.breakerState() !== 'closed' && performance.now() - since < 3000) await new Promise((r) => setTimeout(r, 10));
  console.log(`  burst of 4 lost sessions: breaker closed; opened by one failed connect; closed by a probe ${(performance.now() - since).toFixed(0)} ms after the server answered again`);
  assert.is(driver.breakerState(), 'closed');
  assert.is((await db.items.get(row.id))?.title, 'seed');
});

test('a stopped server: the breaker opens, calls fail fast, and reads succeed within half-open + 1 s after the server accepts connections', async () => {
  const { db, driver } = open(cluster.url());
  await db.connect();
  await cluster.stop();
  try {
    for (let i = 0; i < 3; i++) await db.items.get(row.id).catch((e: unknown) => assert.instance(e, ConnectionError));
    assert.is(driver.breakerState(), 'open');
    const times = await failFast(() => db.items.get(row.id), 10);
    assert.ok(median(times) < CONNECT_TIMEOUT / 20);
    await failFast(() => db.items.update(row.id, { title: 'not while down' }), 3);
  } finally {
    await cluster.start();
  }
  const accepting = await waitUntilAccepting(cluster);
  let readAt = 0;
  while (!readAt) {
    try {
      assert.is((await db.items.get(row.id))?.title, 'seed', 'the refused update changed nothing');
      readAt = performance.now();
    } catch (err) {
      assert.instance(err, ConnectionError);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  console.log(`  reads back ${(readAt - accepting).toFixed(0)} ms after the server accepted connections (half-open interval ${HALF_OPEN_MS} ms)`);
  assert.ok(readAt - accepting <= HALF_OPEN_MS + 1000);
  assert.is(driver.breakerState(), 'closed');
});

test('with the breaker off, breakerState() says disabled and health lists the primary and the pool', async () => {
  const driver = postgres({ url: cluster.url(), poolSize: 1, breaker: false, retry: false });
  opened.push(driver);
  assert.is(driver.breakerState(), 'disabled');
  const report = await driver.health();
  assert.is(report.status, 'up');
  assert.equal(report.components.map((c) => c.name), ['primary', 'pool']);
  assert.equal(Object.keys(report.components[1]!.details ?? {}).sort(), ['connectionErrors', 'idle', 'max', 'poolTimeouts', 'total', 'waiting']);
});

test('breaker and retry settings are checked: bad values raise ConfigError', async () => {
  const { ConfigError } = await import('@chatcore/core');
  assert.throws(() => postgres({ url: cluster.url(), breaker: { failures: 0 } }), (e: unknown) => e instanceof ConfigError && /breaker\.failures/.test((e as Error).message));
  assert.throws(() => postgres({ url: cluster.url(), retry: { maxRetries: -1 } }), (e: unknown) => e instanceof ConfigError && /retry\.maxRetries/.test((e as Error).message));
  assert.throws(() => postgres({ url: cluster.url(), replicaUrls: ['not a url'] }), (e: unknown) => e instanceof ConfigError);
});

test.after(async () => {
  for (const d of opened) await d.close().catch(() => undefined);
  await proxy.close();
  await cluster.drop();
});

test.run();
