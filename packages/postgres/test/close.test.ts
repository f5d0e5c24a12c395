import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionError, createDatabase, defineRepository, f } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { dropTables, suffix } from '@chatcore/sql/testing';
import { postgres } from '../src/index.js';
import { startProxy } from './helpers/cluster.js';
import { testConfig } from './helpers/pg-config.js';

await requireService('postgres');

const items = defineRepository('items', { id: f.id(), title: f.string(), n: f.integer().default(0), version: f.version() }, { table: `items_${suffix()}` });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const admin = postgres(testConfig({ poolSize: 1 }));
await admin.ensureSchema([items.schema], { mode: 'apply' });

/** Settle `p` as [elapsed ms since `t0`, error or 'ok'], so an unsettled call shows up as a timeout of the race, not a hang. */
function settle(p: Promise<unknown>, t0: number): Promise<[number, unknown]> {
  return p.then(() => [performance.now() - t0, 'ok'], (err: unknown) => [performance.now() - t0, err]);
}

function assertClosed(err: unknown, what: string): void {
  assert.instance(err, ConnectionError, `${what}: ${String(err)}`);
  const e = err as ConnectionError;
  assert.match(e.message, /closed/, what);
  assert.not.match(e.message, /could not be reached|server is up|may or may not/, what);
  assert.is(e.info.sent, false, `${what}: nothing was sent`);
  assert.is(e.info.reason, 'closed', what);
  assert.is(e.info.outcome, undefined, `${what}: the outcome is known`);
}

test('close() fails the calls waiting for a connection at once, lets the one holding it finish, and later calls fail at once', async () => {
  // A 10 s connect timeout: a waiter left to it would fail long after close, as if the server were down.
  const db = createDatabase({ driver: postgres(testConfig({ poolSize: 1, connectTimeout: 10_000 })), repositories: { items } });
  await db.connect();
  const row = await db.items.create({ title: 'counter' });
  let holding!: () => void;
  const held = new Promise<void>((r) => { holding = r; });
  const t0 = performance.now();
  const tx = settle(db.transaction(async (t) => {
    await t.items.count();
    holding();
    // Long enough that a waiter served when this transaction gives the connection back shows, even on a loaded machine.
    await sleep(3000);
    await t.items.create({ title: 'in the transaction' });
  }), t0);
  await held;
  const queued = {
    create: settle(db.items.create({ title: 'queued create' }), t0),
    createMany: settle(db.items.createMany([{ title: 'queued many 1' }, { title: 'queued many 2' }]), t0),
    update: settle(db.items.update(row.id, { n: { increment: 1 } }), t0),
    count: settle(db.items.count(), t0),
  };
  await sleep(50);
  const closedAt = performance.now() - t0;
  const closing = settle(db.close(), t0);
  for (const [what, outcome] of Object.entries(queued)) {
    const [at, err] = await outcome;
    assertClosed(err, what);
    assert.ok(at - closedAt < 2000, `${what} failed ${Math.round(at - closedAt)} ms after close(), not at once`);
  }
  const [txAt, txOutcome] = await tx;
  assert.equal(txOutcome, 'ok', 'the transaction that held the connection finished');
  for (const [what, outcome] of Object.entries(queued)) assert.ok((await outcome)[0] < txAt, `${what} failed before the connection was given back`);
  assert.equal((await closing)[1], 'ok');
  const [afterAt, after] = await settle(db.items.count(), performance.now());
  assertClosed(after, 'a call after close');
  assert.ok(afterAt < 1000, `a call after close failed after ${Math.round(afterAt)} ms, not at once (the connect timeout is 10 s)`);
  const { rows } = await admin.executor.execute({ sql: `select title, n from ${items.schema.table} order by title`, parameters: [] });
  assert.equal(rows.map((r) => `${String(r.title)}:${String(r.n)}`), ['counter:0', 'in the transaction:0']);
});

test('close() aborts connections still being opened to a server that never answers: their callers and close() are done at once, not after connectTimeout', async () => {
  const proxy = await startProxy(5432);
  proxy.mode = 'blackhole';
  const driver = postgres({ url: `postgres://postgres@127.0.0.1:${proxy.port}/postgres`, connectTimeout: 10_000 });
  const db = createDatabase({ driver, repositories: { items }, schemaMode: 'off' });
  try {
    const t0 = performance.now();
    // connect() waits on a new connection of the pool; health's probe on another one.
    const connecting = settle(db.connect(), t0);
    const health = driver.health().then((report) => [performance.now() - t0, report] as const);
    await sleep(300);
    const closedAt = performance.now() - t0;
    const [closeAt, closed] = await settle(db.close(), t0);
    assert.equal(closed, 'ok');
    // Left to connectTimeout, each would settle about 10 s after it started.
    assert.ok(closeAt - closedAt < 2000, `close() took ${Math.round(closeAt - closedAt)} ms: it waited for the connections being opened`);
    const [connectAt, connectError] = await connecting;
    assertClosed(connectError, 'connect()');
    assert.ok(connectAt - closedAt < 2000, `connect() failed ${Math.round(connectAt - closedAt)} ms after close(), not at once`);
    const [healthAt, report] = await health;
    assert.is(report.status, 'down', JSON.stringify(report));
    assert.match(report.components[0]?.error ?? '', /closed/, JSON.stringify(report));
    assert.ok(healthAt - closedAt < 2000, `health() answered ${Math.round(healthAt - closedAt)} ms after close()`);
  } finally {
    await proxy.close();
  }
});

test.after(async () => {
  await dropTables(admin.executor, [items.schema.table]);
  await admin.close();
});

test.run();
