import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { createClient } from '@keyv/redis';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import type { Plugin, SecurityEvent } from '@chatcore/core/plugin';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '@chatcore/postgres';
import { cache, decode, encode } from '../src/index.js';
import { EntryAuthenticator } from '../src/entry-authenticator.js';
import { PG_URL } from './helpers/coherence-suite.js';
import { randomNamespace, sleep, TABLE_SUFFIX, TEST_REDIS_TIMEOUT } from './helpers/fixtures.js';

// Case-insensitive matching lowercases with the backend's ICU: a PostgreSQL
// server built with an older ICU maps U+A7CB to itself, Node maps it to 'ɤ'
// (docs/queries.md). The shared tier's filter check must not call the
// server's answer tampering, while still refusing rows the rest of the
// filter rules out.
await requireService('redis');
await requireService('postgres');

const REDIS_URL = 'redis://127.0.0.1:6379';
const items = defineRepository('items', { id: f.id(), name: f.string(), owner: f.string() }, { table: `cache_icu_${TABLE_SUFFIX}` });
const redis = createClient({ url: REDIS_URL });
redis.on('error', () => undefined);
await redis.connect();

/** A database with the cache on the shared tier only (every read goes to Redis), and the security events it reports. */
async function open(namespace: string, key?: string) {
  const events: SecurityEvent[] = [];
  const spy: Plugin = { name: 'spy', onSecurityEvent: (e) => { events.push(e); } };
  const plugin = cache({ redisUrl: REDIS_URL, namespace, key, local: false, redisTimeout: TEST_REDIS_TIMEOUT });
  const db = createDatabase({ driver: postgres({ url: PG_URL, poolSize: 2 }), repositories: { items }, plugins: [spy, plugin] });
  await db.connect();
  return { db, plugin, events };
}

/** Wait until the background shared fills have landed. */
async function filled(plugin: { stats(): { total: { shared: { fills: number } } } }, n: number): Promise<void> {
  for (let i = 0; i < 200 && plugin.stats().total.shared.fills < n; i++) await sleep(10);
  assert.ok(plugin.stats().total.shared.fills >= n, `${n} shared fills`);
}

const ns = randomNamespace('icu');
const seed = await open(ns, `k-${'0123456789abcdef'.repeat(3)}`);
await seed.db.items.createMany([{ id: 'a', name: '\uA7CB', owner: 'alice' }, { id: 'b', name: 'plain', owner: 'alice' }, { id: 'm', name: 'mallory', owner: 'mallory' }]);
await seed.db.close();

test('a case-insensitive filter the server folds unlike Node is cached, with no integrity failure', async () => {
  const o = await open(randomNamespace('icu'), `k-${'0123456789abcdef'.repeat(3)}`);
  try {
    const where = { owner: 'alice', not: { name: { contains: '\u0264', mode: 'insensitive' as const } } };
    const truth = (await o.db.items.find({ where, orderBy: { id: 'asc' } }, { cache: false })).map((r) => r.id);
    assert.equal(truth, ['a', 'b'], "this server's ICU must lowercase U+A7CB to itself (Node: to U+0264) for this test to mean anything");
    for (let i = 0; i < 3; i++) {
      assert.equal((await o.db.items.find({ where, orderBy: { id: 'asc' } })).map((r) => r.id), ['a', 'b']);
      await filled(o.plugin, 1);
    }
    const shared = o.plugin.stats().total.shared;
    assert.is(shared.rejected, 0, 'no entry refused');
    assert.is(shared.hits, 2, 'the second and third reads are served by the shared tier');
    assert.equal(o.events, [], 'no security event');
  } finally {
    await o.plugin.clear();
    await o.db.close();
  }
});

test('without a key, a forged row another part of the filter rules out is still refused', async () => {
  const namespace = randomNamespace('icu');
  const o = await open(namespace);
  try {
    const where = { owner: 'alice', name: { contains: 'PLAIN', mode: 'insensitive' as const } };
    assert.equal((await o.db.items.find({ where })).map((r) => r.id), ['b']);
    await filled(o.plugin, 1);
    // The checksum key is public without a configured key: the forger puts Mallory's row in Alice's answer.
    const [key] = await redis.keys(`${namespace}:{items}:*:q:*`);
    const counter = `${namespace}:{items}:gen`;
    const raw = (await redis.get(key!))!;
    const bar = raw.indexOf('|');
    const entry = decode(raw.slice(bar + 1 + 'm1.'.length + 44)) as { t: number; f: number; v: Array<Record<string, unknown>> };
    const forged = { ...entry, v: [{ ...entry.v[0]!, id: 'm', name: 'plain', owner: 'mallory' }] };
    await redis.set(key!, `${raw.slice(0, bar)}|${new EntryAuthenticator(undefined).seal(key!, counter, encode(forged))}`, { PX: 60_000 });
    assert.equal((await o.db.items.find({ where })).map((r) => r.owner), ['alice']);
    assert.is(o.plugin.stats().total.shared.rejected, 1);
    assert.ok(o.events.some((e) => e.type === 'integrity_failure' && e.details?.reason === 'filter'), JSON.stringify(o.events));
  } finally {
    await o.plugin.clear();
    await o.db.close();
  }
});

test.after(async () => {
  await redis.close();
  execFileSync('psql', [PG_URL, '-q', '-c', `DROP TABLE IF EXISTS "${items.schema.table}"`], { stdio: 'ignore' });
});
test.run();
