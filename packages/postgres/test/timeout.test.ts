import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ChatcoreError, ConfigError, ConnectionError, createDatabase, defineRepository, f, TimeoutError } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { postgres, type PostgresConfig } from '../src/index.js';
import { createCluster, startProxy, type TestCluster } from './helpers/cluster.js';

await requireService('postgres');

const cluster: TestCluster = await createCluster('cc_timeout', 25442);
const items = defineRepository('items', { id: f.id(), title: f.string(), version: f.version() }, { table: 'items' });
// A view that sleeps 8 s per row: a slow query reached through an ordinary repository (its end is far from every timeout here).
const slow = defineRepository('slow', { id: f.id(), title: f.string() }, { table: 'slow_items' });
// A view that sleeps 60 ms (once: items holds one row): a short read whose timeout can race its end.
const nap = defineRepository('nap', { id: f.id(), title: f.string() }, { table: 'nap_items' });
const opened: Array<{ close(): Promise<void> }> = [];

function open(config: Partial<PostgresConfig>) {
  const driver = postgres({ url: cluster.url(), poolSize: 1, ...config });
  const db = createDatabase({ driver, repositories: { items, slow, nap }, schemaMode: 'off' });
  opened.push(db);
  return { driver, db };
}

const setup = open({});
await setup.driver.ensureSchema([items.schema], { mode: 'apply' });
await cluster.sql('create view slow_items as select i.id, i.title from items i cross join lateral (select pg_sleep(8)) s');
await cluster.sql('create view nap_items as select i.id, i.title from items i cross join lateral (select pg_sleep(0.06)) s');
const seeded = await setup.db.items.create({ title: 'seed' });

const running = async () =>
  cluster.sql("select count(*)::int as n from pg_stat_activity where query like '%pg_sleep%' and state = 'active' and pid <> pg_backend_pid()");

test('a query longer than queryTimeout raises TimeoutError, leaves nothing running, and the pool of 1 serves the next query', async () => {
  const { db, driver } = open({ queryTimeout: 300 });
  const started = performance.now();
  try {
    await db.slow.find({});
    assert.unreachable('should have timed out');
  } catch (err) {
    assert.instance(err, TimeoutError, String(err));
  }
  assert.ok(performance.now() - started < 6000, 'cancelled at the timeout, before the 8 s sleep ended');
  assert.is((await running())[0]!.n, 0, 'no pg_sleep is still running on the server');
  assert.is((await db.items.get(seeded.id))?.title, 'seed');
  const pool = (await driver.health()).components.find((c) => c.name === 'pool');
  assert.is(pool?.details?.total, 1);
  assert.is(pool?.details?.waiting, 0);
});

const givenUp: Array<[string, (db: ReturnType<typeof open>['db']) => Promise<unknown>]> = [
  ['a read given up by its caller (per-call timeout) is cancelled on the server: the pool of 1 is free again at once', (db) => db.slow.find({}, { timeout: 200 })],
  ['an aggregate given up by its caller (per-call timeout) is cancelled on the server like any read', (db) => db.slow.aggregate({ count: ['_all'] }, { timeout: 200 })],
];
for (const [name, call] of givenUp) {
  test(name, async () => {
    const { db } = open({});
    const started = performance.now();
    try {
      await call(db);
      assert.unreachable('should have timed out');
    } catch (err) {
      assert.instance(err, TimeoutError, String(err));
    }
    assert.is((await db.items.get(seeded.id))?.title, 'seed');
    assert.ok(performance.now() - started < 6000, 'the next query did not wait for the 8 s sleep to end');
    assert.is((await running())[0]!.n, 0, 'no pg_sleep is still running on the server');
  });
}

test('a cancel sent for a read that finished anyway never reaches the next read on the same connection', async () => {
  const { db } = open({});
  const failures: string[] = [];
  for (let i = 0; i < 50; i++) {
    // Timeouts around the read's own length, so that the statement often ends while its cancel is on its way.
    const timed = db.nap.find({}, { timeout: 52 + (i % 7) * 2 }).catch(() => undefined);
    const next = db.nap.find({}).then(() => undefined, (err: unknown) => { failures.push(String(err)); });
    await Promise.all([timed, next]);
  }
  assert.equal(failures, [], `${failures.length} reads without a timeout failed`);
});

test('a read whose timeout passed while it waited for a connection is never sent to the server', async () => {
  const { db, driver } = open({ applicationName: 'cc_handover' });
  const holding = driver.executor.execute({ sql: 'select pg_sleep(0.6)', parameters: [] });
  try {
    await db.slow.find({}, { timeout: 100 });
    assert.unreachable('should have timed out');
  } catch (err) {
    assert.instance(err, TimeoutError, String(err));
  }
  await holding;
  await new Promise((r) => setTimeout(r, 300));
  // The pool's one backend shows its last statement even when idle: still the one that held it.
  const rows = await cluster.sql("select query from pg_stat_activity where application_name = 'cc_handover'");
  assert.is(rows.length, 1);
  assert.not.match(String(rows[0]!.query), /slow_items/, 'the timed-out read ran after all');
  assert.is((await db.items.get(seeded.id))?.title, 'seed');
});

test('the connection timed out by statement_timeout is reused, not leaked (same backend answers next)', async () => {
  const { db, driver } = open({ queryTimeout: 300 });
  const pid = async () => (await driver.executor.execute({ sql: 'select pg_backend_pid() as pid', parameters: [] })).rows[0]!.pid;
  const before = await pid();
  await db.slow.find({}).catch((e: unknown) => assert.instance(e, TimeoutError));
  assert.is(await pid(), before);
});

test('a lock wait longer than lockTimeout raises TimeoutError (55P03) and changes nothing', async () => {
  const { db } = open({ queryTimeout: 5000, lockTimeout: 300 });
  const holder = open({ queryTimeout: 0, statementTimeout: 0 });
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => { locked = r; });
  const tx = holder.db.transaction(async (t) => {
    await t.items.update(seeded.id, { title: 'held' });
    locked();
    await held;
    throw new Error('roll back');
  }).catch(() => undefined);
  await isLocked;
  try {
    await db.items.update(seeded.id, { title: 'blocked' });
    assert.unreachable('should have timed out');
  } catch (err) {
    assert.instance(err, TimeoutError, String(err));
    assert.is((err as ChatcoreError).info.sqlState, '55P03');
  } finally {
    release();
    await tx;
  }
  assert.is((await db.items.get(seeded.id))?.title, 'seed');
});

test('a transaction left idle longer than idleInTransactionTimeout is ended by the server; nothing commits and the pool recovers', async () => {
  const { db } = open({ idleInTransactionTimeout: 300 });
  try {
    await db.transaction(async (t) => {
      await t.items.update(seeded.id, { title: 'idle' });
      await new Promise((r) => setTimeout(r, 900));
      await t.items.get(seeded.id);
    });
    assert.unreachable('should have failed');
  } catch (err) {
    assert.instance(err, ConnectionError, String(err));
    assert.is((err as ChatcoreError).info.sqlState, '25P03');
    assert.match((err as Error).message, /idleInTransactionTimeout \(25P03\): the transaction was rolled back and nothing of it was committed/);
    assert.not.match((err as Error).message, /may or may not/);
  }
  assert.is((await db.items.get(seeded.id))?.title, 'seed');
});

test('a transaction whose signal fires as its function returns rejects with the signal\'s own reason, not a mapped client error', async () => {
  const { driver } = open({});
  const ac = new AbortController();
  const reason = new Error('the caller left');
  try {
    await driver.transaction(async () => {
      ac.abort(reason);
      return 'done';
    }, { signal: ac.signal });
    assert.unreachable('should have been rolled back');
  } catch (err) {
    assert.is(err, reason);
  }
});

test('server-side timeouts are set on every connection from the config', async () => {
  const { driver } = open({ queryTimeout: 1500, idleInTransactionTimeout: 7000 });
  const { rows } = await driver.executor.execute({
    sql: "select current_setting('statement_timeout') as st, current_setting('lock_timeout') as lt, current_setting('idle_in_transaction_session_timeout') as it",
    parameters: [],
  });
  assert.equal(rows[0], { st: '1500ms', lt: '1500ms', it: '7s' });
});

test('a server that never answers fails the connection after connectTimeout with ConnectionError', async () => {
  const proxy = await startProxy(cluster.port);
  proxy.mode = 'blackhole';
  const driver = postgres({ url: `postgres://postgres@127.0.0.1:${proxy.port}/postgres`, poolSize: 1, connectTimeout: 500, retry: false, breaker: false });
  const started = performance.now();
  try {
    await driver.connect();
    assert.unreachable('should have timed out');
  } catch (err) {
    assert.instance(err, ConnectionError, String(err));
  } finally {
    await driver.close();
    await proxy.close();
  }
  const took = performance.now() - started;
  // A blackholed connect without the timeout would hang for minutes (the kernel's SYN retries): 10 s is room for a busy machine.
  assert.ok(took >= 450 && took < 10_000, `gave up after ${took.toFixed(0)} ms`);
});

test('bad timeout settings are refused with ConfigError before any connection is made', () => {
  for (const bad of [{ queryTimeout: -1 }, { lockTimeout: Number.NaN }, { idleInTransactionTimeout: -5 }, { readYourWritesWindow: -1 }, { statementTimeout: 'soon' }, { connectTimeout: '5 minutes' }] as Array<Partial<PostgresConfig>>) {
    assert.throws(() => postgres({ url: cluster.url(), ...bad }), (e: unknown) => e instanceof ConfigError, JSON.stringify(bad));
  }
});

test('timeouts past the longest Node.js timer are refused, not run as 1 ms timers (connect failed, 22023 as ConnectionError)', () => {
  for (const name of ['connectTimeout', 'idleTimeout', 'queryTimeout', 'statementTimeout', 'lockTimeout', 'idleInTransactionTimeout'] as const) {
    assert.throws(() => postgres({ url: cluster.url(), [name]: '30d' }), (e: unknown) => e instanceof ConfigError && new RegExp(`^postgres\\.${name}: expected a duration <= 2147483647 ms`).test((e as Error).message), name);
  }
  postgres({ url: cluster.url(), connectTimeout: 2_147_483_647, queryTimeout: '24d' });
});

test.after(async () => {
  for (const d of opened) await d.close().catch(() => undefined);
  await cluster.drop();
});

test.run();
