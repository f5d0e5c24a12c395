import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient } from '@keyv/redis';
import { ConfigError } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { cache, type CacheMetricEvent } from '../src/index.js';
import { instrument, openDb, randomNamespace, sleep, TEST_REDIS_TIMEOUT } from './helpers/fixtures.js';

await requireService('redis');
const redisUrl = 'redis://127.0.0.1:6379';

async function keysOf(pattern: string): Promise<string[]> {
  const client = createClient({ url: redisUrl });
  client.on('error', () => undefined);
  await client.connect();
  const keys: string[] = [];
  for await (const batch of client.scanIterator({ MATCH: pattern, COUNT: 500 })) keys.push(...batch);
  await client.close();
  return keys;
}

test('every Redis key sits in the namespace, holds no id or filter value, and clear() removes them all', async () => {
  const namespace = randomNamespace();
  const c = cache({ redisUrl, redisTimeout: TEST_REDIS_TIMEOUT, namespace });
  const db = await openDb([c]);
  const u = await db.users.create({ name: 'FilterValueXYZ', age: 41 });
  await db.users.get(u.id);
  await db.users.find({ where: { name: 'FilterValueXYZ' } });
  await db.users.update(u.id, { age: 42 });
  await new Promise((r) => setTimeout(r, 50));
  const keys = await keysOf(`${namespace}:*`);
  assert.ok(keys.some((k) => k.endsWith(':i')), 'a get entry');
  assert.ok(keys.some((k) => k.includes(':q:')), 'a query entry');
  assert.ok(keys.some((k) => k.endsWith(':gen')), 'a generation counter');
  assert.equal(await keysOf(`*${namespace}*`), await keysOf(`${namespace}:*`), 'no key outside the namespace (no adapter prefix)');
  for (const k of keys) {
    assert.not.ok(k.includes(u.id), 'no id in a key');
    assert.not.ok(k.includes('FilterValueXYZ'), 'no filter value in a key');
  }
  const removed = await c.clear();
  assert.ok(removed >= keys.length);
  assert.equal(await keysOf(`${namespace}:*`), []);
  await db.close();
});

test('clear() of namespace app leaves every key of namespace app:eu', async () => {
  const app = randomNamespace();
  const eu = `${app}:eu`;
  const a = cache({ redisUrl, redisTimeout: TEST_REDIS_TIMEOUT, namespace: app });
  const b = cache({ redisUrl, redisTimeout: TEST_REDIS_TIMEOUT, namespace: eu, local: false });
  const ins = instrument();
  const dbA = await openDb([a]);
  const dbB = await openDb([b], ins.driver);
  const ua = await dbA.users.create({ name: 'a' });
  const ub = await dbB.users.create({ name: 'b' });
  for (const [db, id] of [[dbA, ua.id], [dbB, ub.id]] as const) {
    await db.users.get(id);
    await db.users.find({ where: { name: 'x' } });
    await db.users.update(id, { age: 1 });
    await db.users.get(id);
  }
  await sleep(50);
  const euKeys = (await keysOf(`${eu}:*`)).sort();
  assert.ok(euKeys.some((k) => k.endsWith(':i')) && euKeys.some((k) => k.endsWith(':gen')), 'app:eu has entries and counters');
  assert.ok((await keysOf(`${app}:{*`)).length > 0, 'app has keys');
  await a.clear();
  assert.equal(await keysOf(`${app}:{*`), [], 'every key of app is gone');
  assert.equal((await keysOf(`${eu}:*`)).sort(), euKeys, 'no key of app:eu was touched');
  const reads = ins.reads.getByIds;
  assert.is((await dbB.users.get(ub.id))!.age, 1);
  assert.is(ins.reads.getByIds, reads, 'app:eu still answers from its shared tier');
  await b.clear();
  await dbA.close();
  await dbB.close();
});

test('a corrupted or foreign shared entry is never served: the read goes to the database', async () => {
  const namespace = randomNamespace();
  const ins = instrument();
  const c = cache({ redisUrl, redisTimeout: TEST_REDIS_TIMEOUT, namespace, local: false });
  const db = await openDb([c], ins.driver);
  const u = await db.users.create({ name: 'real' });
  await db.users.get(u.id);
  await new Promise((r) => setTimeout(r, 30));
  const entry = (await keysOf(`${namespace}:*`)).find((k) => k.endsWith(':i'))!;
  const client = createClient({ url: redisUrl });
  client.on('error', () => undefined);
  await client.connect();
  const reads = ins.reads.getByIds;
  await client.set(entry, '|{not json');
  assert.is((await db.users.get(u.id))!.name, 'real');
  await client.set(entry, `|${JSON.stringify({ t: 999, f: Date.now() + 60_000, v: { id: u.id, name: 'forged' } })}`);
  assert.is((await db.users.get(u.id))!.name, 'real', 'an unsealed entry is a miss');
  await client.set(entry, `|m1.${'A'.repeat(43)}.${JSON.stringify({ t: 0, f: Date.now() + 60_000, v: { id: u.id, name: 'forged' } })}`);
  assert.is((await db.users.get(u.id))!.name, 'real', 'an entry with a wrong MAC is refused');
  await client.close();
  assert.is(ins.reads.getByIds, reads + 3, 'each read went to the database');
  assert.is(c.stats().total.shared.rejected, 1, 'the forged one is counted');
  await c.clear();
  await db.close();
});

test('stats and metric events count hits, misses, fills and bypasses per tier and repository', async () => {
  const c = cache({ redisUrl, redisTimeout: TEST_REDIS_TIMEOUT, namespace: randomNamespace() });
  const events: CacheMetricEvent[] = [];
  c.events.on('metric', (e: CacheMetricEvent) => events.push(e));
  const db = await openDb([c]);
  const u = await db.users.create({ name: 'm' });
  await db.users.get(u.id);
  await db.users.get(u.id);
  await db.users.get(u.id, { cache: false });
  await db.transaction(async (tx) => { await tx.users.get(u.id); });
  const s = c.stats();
  const users = s.repositories.users!;
  assert.is(users.local.hits, 1);
  assert.is(users.local.misses, 1);
  assert.is(users.shared.misses, 1);
  assert.is(users.local.fills, 1);
  assert.is(users.local.bypasses, 2);
  assert.is(s.bus, 'up');
  assert.is(s.breaker, 'closed');
  assert.ok(events.some((e) => e.metric === 'hits' && e.tier === 'local' && e.repository === 'users'));
  assert.ok(events.some((e) => e.metric === 'bypasses' && e.reason === 'transaction'));
  await c.clear();
  await db.close();
});

test('the in-process tier is bounded by entries and counts evictions', async () => {
  const ins = instrument();
  const c = cache({ namespace: randomNamespace(), shared: false, localMaxEntries: 5 });
  const db = await openDb([c], ins.driver);
  const rows = await db.users.createMany(Array.from({ length: 20 }, (_, i) => ({ name: `n${i}` })));
  for (const r of rows) await db.users.get(r.id);
  const s = c.stats();
  assert.ok(s.localEntries <= 5);
  assert.is(s.repositories.users!.local.evictions, 15);
  await db.close();
});

test('the in-process tier is bounded by bytes (a size like "8kB")', async () => {
  const c = cache({ namespace: randomNamespace(), shared: false, localMaxBytes: '8kB' });
  const db = await openDb([c]);
  const rows = await db.users.createMany(Array.from({ length: 20 }, (_, i) => ({ name: `n${i}`.padEnd(150, 'x') })));
  for (const r of rows) await db.users.get(r.id);
  assert.ok(c.stats().localBytes <= 8_000);
  assert.ok(c.stats().localEntries < 20);
  await db.close();
});

test('tenant-scoped repositories never share entries between tenants', async () => {
  const ins = instrument();
  const c = cache({ namespace: randomNamespace(), repositories: { notes: { tenantScoped: true } } });
  const db = await openDb([c], ins.driver);
  await db.notes.createMany([{ owner: 'x', body: 'b' }]);
  assert.is((await db.withContext({ tenant: 'acme' }, () => db.notes.find({}))).length, 1);
  await db.withContext({ tenant: 'acme' }, () => db.notes.find({}));
  assert.is(ins.reads.query, 1);
  await db.withContext({ tenant: 'globex' }, () => db.notes.find({}));
  assert.is(ins.reads.query, 2, 'another tenant misses');
  await db.close();
});

test('bad options raise ConfigError naming the option', async () => {
  assert.throws(() => cache({ namespace: 'has space' }), (e: Error) => e instanceof ConfigError && /namespace/.test(e.message));
  assert.throws(() => cache({ ttl: 'soon' }), (e: Error) => e instanceof ConfigError && /ttl/.test(e.message));
  assert.throws(() => cache({ localMaxEntries: -1 }), (e: Error) => e instanceof ConfigError && e.message === 'cache.localMaxEntries: expected an integer >= 1, got a number -1.');
  assert.throws(() => cache({ localMaxBytes: '8 kilobytes' }), (e: Error) => e instanceof ConfigError && /^cache\.localMaxBytes: expected a size in bytes or like "64MiB"/.test(e.message));
  // Node.js fires a longer timer after 1 ms: every Redis call would time out, the heartbeat would spin.
  assert.throws(() => cache({ redisTimeout: '30d' }), (e: Error) => e instanceof ConfigError && /^cache\.redisTimeout: expected a duration <= 2147483647 ms/.test(e.message));
  assert.throws(() => cache({ heartbeat: 2 ** 31 }), (e: Error) => e instanceof ConfigError && /^cache\.heartbeat: expected a duration <= 2147483647 ms/.test(e.message));
  assert.throws(() => cache({ cluster: 'redis://x' as never }), (e: Error) => e instanceof ConfigError && /cluster/.test(e.message));
  const c = cache({ repositories: { usres: true } });
  await openDb([c]).then(
    () => assert.unreachable('a typo in repositories must be refused'),
    (e: Error) => assert.ok(e instanceof ConfigError && /usres/.test(e.message)),
  );
});

test('a per-call TTL that is not a duration is refused with a typed error and nothing is cached', async () => {
  const c = cache({ namespace: randomNamespace() });
  const db = await openDb([c]);
  const u = await db.users.create({ name: 'x' });
  await db.users.get(u.id, { cache: { ttl: 'forever' } }).then(
    () => assert.unreachable(),
    (e: Error & { code?: string }) => assert.is(e.code, 'VALIDATION'),
  );
  assert.is(c.stats().localEntries, 0);
  await db.close();
});

test.run();
