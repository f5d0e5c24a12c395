import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { postgres, type PostgresConfig } from '../src/index.js';
import { createCluster, type TestCluster } from './helpers/cluster.js';

await requireService('postgres');

// The replica stand-in is a second cluster holding different contents, so each read shows who answered.
const [primary, replica]: TestCluster[] = await Promise.all([createCluster('cc_rep_primary', 25443), createCluster('cc_rep_replica', 25444)]);
const items = defineRepository('items', { id: f.id(), title: f.string(), version: f.version() }, { table: 'items' });
const opened: Array<{ close(): Promise<void> }> = [];

function open(config: Partial<PostgresConfig> = {}) {
  const driver = postgres({ url: primary.url(), replicaUrls: [replica.url()], poolSize: 2, breaker: { failures: 2, halfOpenAfter: 60_000 }, ...config });
  const db = createDatabase({ driver, repositories: { items }, schemaMode: 'off' });
  opened.push(db);
  return { driver, db };
}

for (const c of [primary, replica]) {
  const d = postgres({ url: c.url(), poolSize: 1, retry: false, breaker: false });
  await d.ensureSchema([items.schema], { mode: 'apply' });
  await d.close();
}
const { db: seedDb } = open({ replicaUrls: [] });
const row = await seedDb.items.create({ title: 'on primary' });
await replica.sql('insert into items (id, title, version) values ($1, $2, 1), ($3, $4, 1)', [row.id, 'on replica', `${row.id}-r2`, 'replica only']);

const titleOn = async (c: TestCluster) => (await c.sql('select title from items where id = $1', [row.id]))[0]?.title;

test('reads outside transactions (get, find, count, aggregate) are answered by the replica', async () => {
  const { db } = open();
  assert.is((await db.items.get(row.id))?.title, 'on replica');
  assert.equal((await db.items.find({ orderBy: { title: 'asc' } })).map((r) => r.title), ['on replica', 'replica only']);
  assert.is(await db.items.count(), 2);
  const [totals] = await db.items.aggregate({ count: ['_all'] });
  assert.is(totals?.count._all, 2, 'the aggregate counted the replica\'s two rows, not the primary\'s one');
});

test('reads inside a transaction go to the primary', async () => {
  const { db } = open();
  const seen = await db.transaction(async (tx) => [(await tx.items.get(row.id))?.title, await tx.items.count()]);
  assert.equal(seen, ['on primary', 1]);
});

test('writes go to the primary and never to the replica', async () => {
  const { db } = open();
  const updated = await db.items.update(row.id, { title: 'primary v2' });
  assert.is(updated.title, 'primary v2');
  assert.is(await titleOn(primary), 'primary v2');
  assert.is(await titleOn(replica), 'on replica');
  const created = await db.items.create({ title: 'new on primary' });
  assert.is((await primary.sql('select count(*)::int as n from items where id = $1', [created.id]))[0]!.n, 1);
  assert.is((await replica.sql('select count(*)::int as n from items where id = $1', [created.id]))[0]!.n, 0);
  await db.items.delete(created.id);
  await db.items.update(row.id, { title: 'on primary' });
});

test('read-your-writes: after a write, the same context reads the primary for the window, other contexts the replica', async () => {
  const { db } = open({ readYourWritesWindow: '1500ms' });
  await db.withContext({ traceId: 'writer' }, async () => {
    assert.is((await db.items.get(row.id))?.title, 'on replica', 'before any write');
    await db.items.update(row.id, { title: 'written' });
    assert.is((await db.items.get(row.id))?.title, 'written', 'own write visible');
    const other = await db.withContext({ traceId: 'other' }, () => db.items.get(row.id));
    assert.is(other?.title, 'on replica', 'another context still reads the replica');
    await new Promise((r) => setTimeout(r, 1600));
    assert.is((await db.items.get(row.id))?.title, 'on replica', 'after the window the replica answers again');
  });
  await db.items.update(row.id, { title: 'on primary' });
});

test('read-your-writes by actor: another request of the same actor reads the primary', async () => {
  const { db } = open({ readYourWritesWindow: 2000, readYourWritesScope: 'actor' });
  await db.withContext({ actor: 'user:1' }, () => db.items.update(row.id, { title: 'by actor' }));
  assert.is((await db.withContext({ actor: 'user:1' }, () => db.items.get(row.id)))?.title, 'by actor');
  assert.is((await db.withContext({ actor: 'user:2' }, () => db.items.get(row.id)))?.title, 'on replica');
  await db.items.update(row.id, { title: 'on primary' });
});

test('health reports the primary, each replica, the pool and the breaker', async () => {
  const { driver } = open();
  const report = await driver.health();
  assert.is(report.status, 'up');
  const names = report.components.map((c) => c.name);
  assert.equal(names, ['primary', 'replica 1 (127.0.0.1:25444)', 'pool', 'breaker']);
  for (const c of report.components.slice(0, 2)) assert.type(c.latencyMs, 'number');
  assert.ok(!JSON.stringify(report).includes('postgres://'), 'no connection strings in health');
});

test('a replica that is down: reads fall back to the primary, health is degraded, and the replica serves again when back', async () => {
  const { db, driver } = open({ breaker: { failures: 1, halfOpenAfter: 300 } });
  assert.is((await db.items.get(row.id))?.title, 'on replica');
  await replica.stop();
  try {
    for (let i = 0; i < 4; i++) assert.is((await db.items.get(row.id))?.title, 'on primary');
    const report = await driver.health();
    assert.is(report.status, 'degraded');
    assert.is(report.components.find((c) => c.name.startsWith('replica'))?.status, 'down');
  } finally {
    await replica.start();
  }
  await new Promise((r) => setTimeout(r, 400));
  let title: unknown;
  for (let i = 0; i < 20 && title !== 'on replica'; i++) {
    title = (await db.items.get(row.id))?.title;
    if (title !== 'on replica') await new Promise((r) => setTimeout(r, 100));
  }
  assert.is(title, 'on replica');
});

test.after(async () => {
  for (const d of opened) await d.close().catch(() => undefined);
  await Promise.all([primary.drop(), replica.drop()]);
});

test.run();
