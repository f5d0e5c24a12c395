import { execFileSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '@chatcore/postgres';
import { cache, type CachePlugin } from '../src/index.js';
import { TABLE_SUFFIX, instrument, openDb, randomNamespace, sleep } from './helpers/fixtures.js';
import { PG_URL } from './helpers/coherence-suite.js';
import { ownRedis } from './helpers/redis-server.js';

await requireService('redis');
await requireService('postgres');

const redis = ownRedis();
redis.start();

/**
 * A read is held between its database read and its fill while the counters
 * disappear (clear, or a Redis restart); then as many writes as the id had
 * before. A counter that started over from 0 would be back at the value the
 * held fill carries, and the old value would be served.
 */
async function heldFillAcrossDrop(local: boolean, drop: (c: CachePlugin) => Promise<void>): Promise<void> {
  const ins = instrument(postgres({ url: PG_URL, poolSize: 4 }));
  const c = cache({ redisUrl: redis.url, namespace: randomNamespace(), redisTimeout: '2s', local });
  const db = await openDb([c], ins.driver);
  try {
    const u = await db.users.create({ name: 'w0' });
    for (let i = 1; i <= 3; i++) await db.users.update(u.id, { name: `w${i}` });
    let release!: () => void;
    let held!: () => void;
    const isHeld = new Promise<void>((r) => (held = r));
    ins.gate = () => { held(); return new Promise<void>((r) => (release = r)); };
    const slow = db.users.get(u.id);
    await isHeld;
    ins.gate = undefined;
    await drop(c);
    release();
    assert.is((await slow)!.name, 'w3', 'the held read returns what it read');
    await sleep(100);
    for (let i = 4; i <= 7; i++) await db.users.update(u.id, { name: `w${i}` });
    assert.is((await db.users.get(u.id))!.name, 'w7');
    assert.is((await db.users.get(u.id))!.name, 'w7', 'and again, from whichever tier filled');
  } finally {
    await c.clear();
    await db.close();
  }
}

/** Restart the test's Redis and wait until the cache uses it again (bus up, catch-up over). */
async function restart(c: CachePlugin): Promise<void> {
  redis.stop();
  await sleep(200);
  redis.start();
  for (let i = 0; i < 200 && c.stats().bus !== 'up'; i++) await sleep(20);
  await sleep(400);
}

for (const local of [false, true]) {
  const tiers = local ? 'both tiers' : 'shared tier only';
  test(`a fill held across clear() never matches the counter after as many writes again (${tiers})`, () => heldFillAcrossDrop(local, async (c) => void (await c.clear())));
  test(`a fill held across a Redis restart never matches the counter after as many writes again (${tiers})`, () => heldFillAcrossDrop(local, restart));
}

test('a counter a fill found missing is started above 0, so an entry never carries 0', async () => {
  const namespace = randomNamespace();
  const c = cache({ redisUrl: redis.url, namespace, redisTimeout: '2s', local: false });
  const db = await openDb([c], postgres({ url: PG_URL, poolSize: 2 }));
  try {
    const u = await db.users.create({ name: 'a' });
    await c.clear();
    await db.users.get(u.id);
    const keys = redis.command('--scan', '--pattern', `${namespace}:*:e`).split('\n').filter(Boolean);
    assert.ok(keys.length >= 1, 'the read started the id epoch');
    for (const k of keys) assert.ok(Number(redis.command('get', k).trim()) > 1e15, `${k} starts from the clock`);
  } finally {
    await c.clear();
    await db.close();
  }
});

test.after(() => {
  redis.dispose();
  execFileSync('psql', [PG_URL, '-q', '-c', `DROP TABLE IF EXISTS "cache_users_${TABLE_SUFFIX}", "cache_notes_${TABLE_SUFFIX}"`], { stdio: 'ignore' });
});

test.run();
