import { execFileSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { requireService } from '@chatcore/core/testing';
import type { CacheStats } from '../src/index.js';
import { instrument, openDb, randomNamespace, sleep } from './helpers/fixtures.js';
import { cache } from '../src/index.js';
import { spawnCacheChild, type CacheChild } from './helpers/child-process.js';
import { PG_URL } from './helpers/coherence-suite.js';
import { ownRedis } from './helpers/redis-server.js';

await requireService('redis');
await requireService('postgres');

interface Item { id: string; name: string }
const redis = ownRedis();
redis.start();
const table = `cache_outage_${Math.random().toString(36).slice(2, 10)}`;
const cacheOptions = { redisUrl: redis.url, namespace: randomNamespace(), redisTimeout: 100, breaker: { failures: 3, halfOpenAfter: 300 } };

const totals = (s: CacheStats) => ({
  hits: s.total.local.hits + s.total.shared.hits,
  errors: s.total.local.errors + s.total.shared.errors,
  bypasses: s.total.local.bypasses + s.total.shared.bypasses,
});

async function waitHealthy(c: CacheChild): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const s = await c.call<CacheStats>('stats');
    if (s.bus === 'up' && s.breaker === 'closed' && s.pendingInvalidations === 0) return;
    await sleep(50);
  }
  throw new Error('cache did not recover within 10 s');
}

test('Redis stopped mid-load: no caller error, no stale read, errors and bypasses counted, hit rate recovers', async () => {
  const [a, b] = await Promise.all([spawnCacheChild({ table, pgUrl: PG_URL, cache: cacheOptions }), spawnCacheChild({ table, pgUrl: PG_URL, cache: cacheOptions })]);
  try {
    const items: Item[] = [];
    for (let i = 0; i < 10; i++) items.push(await a.call<Item>('create', { name: 'v0' }));
    const version = new Map(items.map((it) => [it.id, 0]));
    let maxDelay = 0;
    // One round: B writes, B reads its own write at once, A sees it within the bus delay and never goes back.
    const round = async (r: number) => {
      const it = items[r % items.length]!;
      for (const x of items.slice(0, 5)) {
        await a.call('get', { id: x.id });
        await b.call('get', { id: x.id });
      }
      const next = version.get(it.id)! + 1;
      await b.call('update', { id: it.id, patch: { name: `v${next}` } });
      version.set(it.id, next);
      assert.is((await b.call<Item>('get', { id: it.id })).name, `v${next}`, 'the writer reads its own write');
      const { ms: delay, polls } = await a.call<{ ms: number; polls: number }>('waitFor', { id: it.id, name: `v${next}`, detail: true });
      if (delay > 100 || polls > 1) console.log(`round ${r}: A saw the write after ${delay.toFixed(1)} ms, ${polls} reads`);
      maxDelay = Math.max(maxDelay, delay);
      assert.ok(delay < 1000, `A saw the write after ${delay} ms`);
      for (const x of items) {
        const got = await a.call<Item>('get', { id: x.id });
        assert.is(got.name, `v${version.get(x.id)}`, 'no stale read in A');
      }
    };
    for (let r = 0; r < 15; r++) await round(r);
    redis.stop();
    for (let r = 15; r < 40; r++) await round(r);
    const [sa, sb] = await Promise.all([a.call<CacheStats>('stats'), b.call<CacheStats>('stats')]);
    assert.ok(totals(sa).errors + totals(sb).errors > 0, 'errors counted');
    assert.ok(totals(sa).bypasses > 0 && totals(sb).bypasses > 0, 'bypasses counted in both processes');
    assert.is(sa.bus, 'down');
    redis.start();
    for (let r = 40; r < 55; r++) await round(r);
    await Promise.all([waitHealthy(a), waitHealthy(b)]);
    for (let r = 55; r < 60; r++) await round(r);
    // Hit rate after recovery: repeated reads are served by the cache again.
    const before = totals(await a.call<CacheStats>('stats')).hits;
    for (let i = 0; i < 100; i++) await a.call('get', { id: items[i % items.length]!.id });
    const after = totals(await a.call<CacheStats>('stats')).hits;
    assert.ok(after - before >= 90, `hit rate recovered: ${after - before}/100`);
    console.log(`outage test: max cross-process delay ${maxDelay.toFixed(1)} ms`);
  } finally {
    await Promise.all([a.close(), b.close()]);
    execFileSync('psql', [PG_URL, '-q', '-c', `DROP TABLE IF EXISTS "${table}"`], { stdio: 'ignore' });
    redis.dispose();
  }
});

test('Redis down at start-up: connect succeeds, reads and writes pass through, the cache comes up when Redis does', async () => {
  const late = ownRedis();
  const ins = instrument();
  const c = cache({ redisUrl: late.url, namespace: randomNamespace(), redisTimeout: 100, breaker: { failures: 3, halfOpenAfter: 300 } });
  const t0 = performance.now();
  const db = await openDb([c], ins.driver);
  const connectMs = performance.now() - t0;
  try {
    // About 2.5 s by design (1 s for the client, 1 s for the bus, 0.5 s for a first heartbeat); were it waiting
    // for Redis, it would never return, as Redis starts only further down. 30 s: room for 2 loaded cores.
    assert.ok(connectMs < 30_000, `connect does not wait for Redis (${Math.round(connectMs)} ms)`);
    const u = await db.users.create({ name: 'a' });
    for (let i = 0; i < 5; i++) assert.is((await db.users.get(u.id))!.name, 'a');
    await db.users.update(u.id, { name: 'b' });
    assert.is((await db.users.get(u.id))!.name, 'b');
    assert.is(c.stats().bus, 'down');
    const health = await db.health();
    assert.is(health.components.find((x) => x.name === 'cache')?.status, 'degraded');
    late.start();
    for (let i = 0; i < 200 && (c.stats().bus !== 'up' || c.stats().breaker !== 'closed' || c.stats().pendingInvalidations > 0); i++) await sleep(50);
    assert.is(c.stats().bus, 'up');
    const reads = ins.reads.getByIds;
    for (let i = 0; i < 10; i++) assert.is((await db.users.get(u.id))!.name, 'b');
    assert.is(ins.reads.getByIds, reads + 1, 'cached again once Redis is up');
    assert.is((await db.health()).components.find((x) => x.name === 'cache')?.status, 'up');
  } finally {
    await db.close();
    late.dispose();
  }
});

test('heartbeats lost while the connection stays open: the bus goes down, then comes back by itself', async () => {
  const paused = ownRedis();
  paused.start();
  const ins = instrument();
  const c = cache({ redisUrl: paused.url, namespace: randomNamespace(), heartbeat: 50, redisTimeout: '5s' });
  const db = await openDb([c], ins.driver);
  try {
    assert.is(c.stats().bus, 'up');
    const u = await db.users.create({ name: 'p' });
    // Every client waits: no heartbeat comes back, although no socket closes.
    execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(paused.port), 'client', 'pause', '1500', 'ALL']);
    for (let i = 0; i < 100 && c.stats().bus === 'up'; i++) await sleep(20);
    assert.is(c.stats().bus, 'down', 'missed heartbeats take the bus down');
    for (let i = 0; i < 300 && c.stats().bus !== 'up'; i++) await sleep(20);
    assert.is(c.stats().bus, 'up', 'and it comes back without a reconnection');
    await db.users.get(u.id);
    const reads = ins.reads.getByIds;
    await db.users.get(u.id);
    assert.is(ins.reads.getByIds, reads, 'the in-process tier serves again');
  } finally {
    await db.close();
    paused.dispose();
  }
});

test.run();
