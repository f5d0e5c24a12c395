import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { ChatcoreError, createDatabase, defineRepository, f, TimeoutError } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '../src/index.js';
import { createCluster, type TestCluster } from './helpers/cluster.js';
import { errorLabel } from './helpers/chaos-load.js';

await requireService('postgres');

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));

const cluster: TestCluster = await createCluster('cc_chaos_pool', 25451);
const items = defineRepository('items', { id: f.id(), title: f.string() }, { table: 'items' });
// One row behind a 50 ms sleep: a read that holds its connection long enough to fill the pool.
const slow = defineRepository('slow', { id: f.id(), title: f.string() }, { table: 'slow_items' });
const counters = defineRepository('counters', { id: f.id(), name: f.string(), count: f.integer() }, { table: 'counters' });
const notes = defineRepository('notes', { id: f.id(), body: f.string() }, { table: 'notes' });
const POOL = 5;
const WAIT_MS = 1000;
const driver = postgres({ url: cluster.url(), poolSize: POOL, connectTimeout: WAIT_MS, applicationName: 'cc-chaos-pool' });
const db = createDatabase({ driver, repositories: { items, slow, counters, notes }, schemaMode: 'off' });
await driver.ensureSchema([items.schema, counters.schema, notes.schema], { mode: 'apply' });
await cluster.sql('create view slow_items as select i.id, i.title from items i cross join lateral (select pg_sleep(0.05)) s');
const seed = await db.items.create({ title: 'seed' });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until `n` sessions run `select pg_sleep(<seconds>)`: the pool's connections are held (connecting them takes longer on a loaded machine). */
async function holding(n: number, seconds: number): Promise<void> {
  const sql = `select pg_sleep(${seconds})`;
  for (let i = 0; i < 500; i++) {
    const rows = await cluster.sql("select count(*)::int as n from pg_stat_activity where query = $1 and state = 'active'", [sql]);
    if (rows[0]!.n >= n) return;
    await sleep(5);
  }
  assert.unreachable(`${n} sessions never ran ${sql}`);
}
const breakerOpenings = async () => Number((await driver.health()).components.find((c) => c.name === 'breaker')?.details?.timesOpened);

test('pool saturation: 200 concurrent reads on a pool of 5 never open the breaker; each succeeds or gets the pool TimeoutError; health says degraded; the next call succeeds at once', async () => {
  const started = performance.now();
  const calls = Array.from({ length: 200 }, () => db.slow.find({}).then(() => undefined, (err: unknown) => err));
  await sleep(WAIT_MS / 2);
  const during = await driver.health();
  const outcomes = await Promise.all(calls);
  const burstMs = performance.now() - started;
  const t0 = performance.now();
  const next = await db.items.get(seed.id);
  const nextMs = performance.now() - t0;

  const failures = outcomes.filter((o) => o !== undefined);
  const labels: Record<string, number> = {};
  for (const e of failures) labels[errorLabel(e)] = (labels[errorLabel(e)] ?? 0) + 1;
  console.log(`  pool of ${POOL}, 200 reads of 50 ms: ${200 - failures.length} succeeded, failures ${JSON.stringify(labels)} in ${burstMs.toFixed(0)} ms; health during: ${during.status} (${during.components.map((c) => `${c.name} ${c.status}`).join(', ')}); next call ${nextMs.toFixed(1)} ms; breaker openings ${await breakerOpenings()}`);

  assert.ok(failures.length >= 1, 'the burst outlasted the pool wait, so some calls waited too long');
  for (const e of failures) {
    assert.instance(e, TimeoutError, String(e));
    assert.is((e as ChatcoreError).info.reason, 'pool');
    assert.match((e as Error).message, /pool/i);
    assert.match((e as Error).message, new RegExp(`${POOL} connections`));
    assert.match((e as Error).message, /\d+ (other )?callers? (were )?waiting/);
  }
  assert.is(await breakerOpenings(), 0, 'the breaker never opened');
  assert.is(driver.breakerState(), 'closed');
  assert.is(during.status, 'degraded', 'a full pool is degraded, not down');
  assert.is(during.components.find((c) => c.name === 'primary')?.status, 'up');
  assert.is(during.components.find((c) => c.name === 'pool')?.status, 'degraded');
  assert.is(next?.title, 'seed');
  assert.ok(nextMs < WAIT_MS, `the next call took ${nextMs.toFixed(0)} ms: it waited as if the pool were still full`);
});

test('50 creates and 20 increments that time out waiting for a connection are never sent: 0 applied 5 s after the pool frees; one application retry applies each exactly once', async () => {
  const counter = await db.counters.create({ name: 'held', count: 0 });
  const tag = randomUUID().slice(0, 8);
  // Hold every connection for 0.8 s: longer than the callers' 200 ms, shorter than the 1 s pool wait,
  // so the pool would hand each waiting write a connection after its caller gave up.
  let holders = Array.from({ length: POOL }, () => driver.executor.execute({ sql: 'select pg_sleep(0.8)', parameters: [] }));
  await holding(POOL, 0.8);
  const [timedOut, increments] = await Promise.all([
    Promise.all(Array.from({ length: 50 }, (_, i) => db.notes.create({ body: `${tag} timeout ${i}` }, { timeout: 200 }).then(() => undefined, (e: unknown) => e))),
    Promise.all(Array.from({ length: 20 }, () => db.counters.update(counter.id, { count: { increment: 1 } }, { timeout: 200 }).then(() => undefined, (e: unknown) => e))),
  ]);
  for (const e of [...timedOut, ...increments]) assert.instance(e, TimeoutError, String(e));
  await Promise.all(holders);
  await sleep(5000);
  const applied = (await cluster.sql('select count(*)::int as n from notes where body like $1', [`${tag} timeout %`]))[0]!.n;
  const count = (await cluster.sql('select count from counters where id = $1', [counter.id]))[0]!.count;
  console.log(`  writes given up while waiting for a connection, 5 s after the pool freed: ${applied} of 50 creates and ${count} of 20 increments applied`);
  assert.is(applied, 0, 'no create given up while waiting was applied later');
  assert.is(count, 0, 'no increment given up while waiting was applied later');

  // Without a per-call timeout, the pool wait itself gives up (connections held 1.6 s): the pool error, and nothing sent either.
  holders = Array.from({ length: POOL }, () => driver.executor.execute({ sql: 'select pg_sleep(1.6)', parameters: [] }));
  await holding(POOL, 1.6);
  const poolWait = await Promise.all(Array.from({ length: 10 }, (_, i) => db.notes.create({ body: `${tag} pool ${i}` }).then(() => undefined, (e: unknown) => e)));
  for (const e of poolWait) {
    assert.instance(e, TimeoutError, String(e));
    assert.is((e as ChatcoreError).info.reason, 'pool');
  }
  await Promise.all(holders);
  await sleep(500);
  assert.is((await cluster.sql('select count(*)::int as n from notes where body like $1', [`${tag} pool %`]))[0]!.n, 0, 'no create given up by the pool wait was applied');

  // The application retries each create once: exactly one row per create.
  await Promise.all(Array.from({ length: 50 }, (_, i) => db.notes.create({ body: `${tag} timeout ${i}` })));
  const rows = await cluster.sql('select body, count(*)::int as n from notes where body like $1 group by body', [`${tag} timeout %`]);
  assert.is(rows.length, 50);
  assert.ok(rows.every((r) => r.n === 1), 'no create applied twice');
});

test('a transaction whose caller gives up while it waits for a connection sends nothing', async () => {
  const counter = await db.counters.create({ name: 'tx-held', count: 0 });
  const holders = Array.from({ length: POOL }, () => driver.executor.execute({ sql: 'select pg_sleep(0.8)', parameters: [] }));
  await holding(POOL, 0.8);
  const outcome = await db.transaction(async (tx) => {
    await tx.counters.update(counter.id, { count: { increment: 1 } });
  }, { timeout: 200 }).then(() => undefined, (e: unknown) => e);
  assert.instance(outcome, TimeoutError, String(outcome));
  await Promise.all(holders);
  await sleep(500);
  assert.is((await cluster.sql('select count from counters where id = $1', [counter.id]))[0]!.count, 0);
});

test('no unhandled rejection during the pool scenarios', () => {
  assert.equal(unhandled, []);
});

test.after(async () => {
  await db.close().catch(() => undefined);
  await cluster.drop();
});

test.run();
