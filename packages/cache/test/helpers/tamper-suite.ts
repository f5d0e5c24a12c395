import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { createClient } from '@keyv/redis';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import type { Driver } from '@chatcore/core/driver';
import type { Plugin, SecurityEvent } from '@chatcore/core/plugin';
import { cache, decode, encode, type CachePlugin } from '../../src/index.js';
import { EntryAuthenticator } from '../../src/entry-authenticator.js';
import { idDigest } from '../../src/cache-keys.js';
import { randomNamespace, sleep } from './fixtures.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';
export const people = defineRepository('people', {
  id: f.id(), name: f.string(), email: f.string(), version: f.version(),
}, { table: `cache_people_${randomBytes(4).toString('hex')}` });

type Redis = ReturnType<typeof createClient>;

/**
 * Someone who can write to Redis swaps, forges and replays shared-tier
 * entries; the cache must answer every read as the database would, count
 * each refused entry and report it as a security event.
 */
export function tamperSuite(name: string, driver: () => Driver): void {
  const s = suite<{ redis: Redis }>(name);
  s.before(async (ctx) => {
    ctx.redis = createClient({ url: REDIS_URL });
    ctx.redis.on('error', () => undefined);
    await ctx.redis.connect();
  });
  s.after(async (ctx) => { await ctx.redis.close(); });

  /** A database with the cache on the shared tier only (every read goes to Redis), and the security events it reports. */
  async function open(namespace: string, key: string | undefined, drv: Driver = driver()) {
    const events: SecurityEvent[] = [];
    const spy: Plugin = { name: 'spy', onSecurityEvent: (e) => { events.push(e); } };
    const plugin = cache({ redisUrl: REDIS_URL, namespace, key, local: false, redisTimeout: '2s' });
    const db = createDatabase({ driver: drv, repositories: { people }, plugins: [spy, plugin] });
    await db.connect();
    return { db, plugin, events };
  }
  type Opened = Awaited<ReturnType<typeof open>>;

  async function keysOf(redis: Redis, pattern: string): Promise<string[]> {
    const out: string[] = [];
    for await (const batch of redis.scanIterator({ MATCH: pattern, COUNT: 500 })) out.push(...batch);
    return out.sort();
  }
  /** Wait until the background shared fills have landed. */
  async function filled(c: CachePlugin, n: number): Promise<void> {
    for (let i = 0; i < 200 && c.stats().total.shared.fills < n; i++) await sleep(10);
    assert.ok(c.stats().total.shared.fills >= n, `${n} shared fills`);
  }
  async function swap(redis: Redis, a: string, b: string): Promise<void> {
    const [va, vb] = await Promise.all([redis.get(a), redis.get(b)]);
    assert.ok(va && vb, 'both entries exist');
    await Promise.all([redis.set(a, vb!, { PX: 60_000 }), redis.set(b, va!, { PX: 60_000 })]);
  }
  async function rejected(o: Opened, reason: string): Promise<void> {
    await sleep(10);
    assert.ok(o.plugin.stats().total.shared.rejected >= 1, 'counted in stats');
    const e = o.events.find((x) => x.source === 'cache' && x.details?.reason === reason);
    assert.ok(e, `security event with reason ${reason}: ${JSON.stringify(o.events)}`);
    assert.is(e!.type, 'integrity_failure');
    assert.is(e!.repository, 'people');
  }
  const cacheKey = `k-${randomBytes(24).toString('hex')}`;
  const getKeyOf = (ns: string, id: string) => `${ns}:{${idDigest('people', id)}}:people:*:i`;

  s('two swapped get entries: get(alice) returns Alice, from the database, and the entry is replaced', async ({ redis }) => {
    const ns = randomNamespace();
    const o = await open(ns, cacheKey);
    try {
      const alice = await o.db.people.create({ name: 'Alice', email: `alice-${ns}@example.com` });
      const mallory = await o.db.people.create({ name: 'Mallory', email: `mallory-${ns}@example.com` });
      await o.db.people.get(alice.id);
      await o.db.people.get(mallory.id);
      await filled(o.plugin, 2);
      const [ka] = await keysOf(redis, getKeyOf(ns, alice.id));
      const [km] = await keysOf(redis, getKeyOf(ns, mallory.id));
      await swap(redis, ka!, km!);
      const hits = o.plugin.stats().total.shared.hits;
      assert.is((await o.db.people.get(alice.id))!.name, 'Alice');
      assert.is((await o.db.people.get(mallory.id))!.name, 'Mallory');
      assert.is(o.plugin.stats().total.shared.hits, hits, 'neither swapped entry was served');
      await rejected(o, 'mac');
      await filled(o.plugin, 4);
      assert.is((await o.db.people.get(alice.id))!.name, 'Alice');
      assert.is(o.plugin.stats().total.shared.hits, hits + 1, 'the refilled entry serves again');
    } finally {
      await o.plugin.clear();
      await o.db.close();
    }
  });

  s("two swapped query entries: find({ email: alice }) returns Alice's rows", async ({ redis }) => {
    const ns = randomNamespace();
    const o = await open(ns, cacheKey);
    try {
      const a = `alice-${ns}@example.com`;
      const m = `mallory-${ns}@example.com`;
      await o.db.people.create({ name: 'Alice', email: a });
      await o.db.people.create({ name: 'Mallory', email: m });
      await o.db.people.find({ where: { email: a } });
      await filled(o.plugin, 1);
      const [qa] = await keysOf(redis, `${ns}:{people}:*:q:*`);
      await o.db.people.find({ where: { email: m } });
      await filled(o.plugin, 2);
      const qm = (await keysOf(redis, `${ns}:{people}:*:q:*`)).find((k) => k !== qa);
      await swap(redis, qa!, qm!);
      assert.equal((await o.db.people.find({ where: { email: a } })).map((r) => r.name), ['Alice']);
      assert.equal((await o.db.people.find({ where: { email: m } })).map((r) => r.name), ['Mallory']);
      await rejected(o, 'mac');
    } finally {
      await o.plugin.clear();
      await o.db.close();
    }
  });

  s('without a key, a re-sealed entry of another id or another filter is refused by the id and filter checks', async ({ redis }) => {
    const ns = randomNamespace();
    const o = await open(ns, undefined);
    // Without a configured key the checksum key is public: the forger re-seals Mallory's data under Alice's keys.
    const forger = new EntryAuthenticator(undefined);
    const reseal = async (target: string, counter: string, sourceRaw: string) => {
      const bar = sourceRaw.indexOf('|');
      const text = sourceRaw.slice(bar + 1 + 'm1.'.length + 44);
      const entry = decode(text) as { t: number; f: number; v: unknown };
      const tag = Number((await redis.get(counter)) ?? 0);
      await redis.set(target, `${sourceRaw.slice(0, bar)}|${forger.seal(target, counter, encode({ ...entry, t: tag }))}`, { PX: 60_000 });
    };
    try {
      assert.is(o.plugin.stats().authenticated, false);
      const a = `alice-${ns}@example.com`;
      const m = `mallory-${ns}@example.com`;
      const alice = await o.db.people.create({ name: 'Alice', email: a });
      const mallory = await o.db.people.create({ name: 'Mallory', email: m });
      await o.db.people.get(alice.id);
      await o.db.people.get(mallory.id);
      await filled(o.plugin, 2);
      const [ka] = await keysOf(redis, getKeyOf(ns, alice.id));
      const [km] = await keysOf(redis, getKeyOf(ns, mallory.id));
      await reseal(ka!, `${ns}:{${idDigest('people', alice.id)}}:people:e`, (await redis.get(km!))!);
      assert.is((await o.db.people.get(alice.id))!.name, 'Alice');
      await rejected(o, 'id');

      await o.db.people.find({ where: { email: a } });
      await filled(o.plugin, 4);
      const [qa] = await keysOf(redis, `${ns}:{people}:*:q:*`);
      await o.db.people.find({ where: { email: m } });
      await filled(o.plugin, 5);
      const qm = (await keysOf(redis, `${ns}:{people}:*:q:*`)).find((k) => k !== qa);
      await reseal(qa!, `${ns}:{people}:gen`, (await redis.get(qm!))!);
      assert.equal((await o.db.people.find({ where: { email: a } })).map((r) => r.name), ['Alice']);
      await rejected(o, 'filter');
    } finally {
      await o.plugin.clear();
      await o.db.close();
    }
  });

  s('an old entry replayed with its epoch or generation set back is not served, in the writer or in another process', async ({ redis }) => {
    const ns = randomNamespace();
    const o = await open(ns, cacheKey);
    const other = await open(ns, cacheKey);
    try {
      const a = `alice-${ns}@example.com`;
      const alice = await o.db.people.create({ name: 'Alice v1', email: a });
      await o.db.people.get(alice.id);
      await o.db.people.find({ where: { email: a } });
      await filled(o.plugin, 2);
      const [ka] = await keysOf(redis, getKeyOf(ns, alice.id));
      const [qa] = await keysOf(redis, `${ns}:{people}:*:q:*`);
      const epochKey = `${ns}:{${idDigest('people', alice.id)}}:people:e`;
      const genKey = `${ns}:{people}:gen`;
      const old = { entry: await redis.get(ka!), query: await redis.get(qa!), epoch: await redis.get(epochKey), gen: await redis.get(genKey) };
      await o.db.people.update(alice.id, { name: 'Alice v2' });
      await sleep(100); // the other process hears the invalidation (and the counters' new values) on the bus
      // The attacker puts the old entries back and sets both counters back to the values they were filled under.
      await redis.set(ka!, old.entry!, { PX: 60_000 });
      await redis.set(qa!, old.query!, { PX: 60_000 });
      for (const [k, v] of [[epochKey, old.epoch], [genKey, old.gen]] as const) {
        if (v === null) await redis.del(k);
        else await redis.set(k, v);
      }
      for (const x of [o, other]) {
        assert.is((await x.db.people.get(alice.id))!.name, 'Alice v2');
        assert.equal((await x.db.people.find({ where: { email: a } })).map((r) => r.name), ['Alice v2']);
        await rejected(x, 'rollback');
      }
    } finally {
      await o.plugin.clear();
      await other.db.close();
      await o.db.close();
    }
  });

  s('a forged invalidation message on the bus is ignored and reported', async ({ redis }) => {
    const ns = randomNamespace();
    const o = await open(ns, cacheKey);
    try {
      await redis.publish(`${ns}:invalidate`, JSON.stringify({ origin: 'x', all: true }));
      for (let i = 0; i < 50 && !o.events.some((e) => e.details?.reason === 'bus'); i++) await sleep(10);
      assert.ok(o.events.some((e) => e.type === 'integrity_failure' && e.details?.reason === 'bus'));
    } finally {
      await o.db.close();
    }
  });

  s.run();
}
