import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient } from '@keyv/redis';
import { ConfigError, createDatabase, defineRepository, f, memoryDriver } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { encryption } from '@chatcore/encryption';
import { cache } from '../src/index.js';
import { randomNamespace, TEST_REDIS_TIMEOUT } from './helpers/fixtures.js';

await requireService('redis');

const people = defineRepository('people', {
  id: f.id(),
  name: f.string(),
  email: f.string().sensitive({ searchable: true }),
  ssn: f.string().optional().sensitive(),
  version: f.version(),
}, { plugins: { cache: { ttl: '5m' } } });

const key = randomBytes(32).toString('base64');
const namespace = randomNamespace('enc');
const redisUrl = 'redis://127.0.0.1:6379';

/** A value that cannot appear in a dump by coincidence. */
const secret = (p: string) => `${p}${randomBytes(18).toString('hex')}`;
const encodings = (v: string) => {
  const b = Buffer.from(v, 'utf8');
  return [v, b.toString('base64').replace(/=+$/, ''), b.toString('base64url'), b.toString('hex'), b.toString('hex').toUpperCase()];
};

test('the cache cannot sit above encryption: createDatabase names the fix', () => {
  assert.throws(
    () => createDatabase({ driver: memoryDriver(), repositories: { people }, plugins: [cache(), encryption({ keys: [{ id: 'k1', key }] })] }),
    (e: Error) => e instanceof ConfigError && /\[encryption, cache\]/.test(e.message),
  );
});

test('with encryption above it, no Redis key, value or bus message holds a sensitive value', async () => {
  const c = cache({ redisUrl, redisTimeout: TEST_REDIS_TIMEOUT, namespace });
  const db = createDatabase({ driver: memoryDriver(), repositories: { people }, plugins: [encryption({ keys: [{ id: 'k1', key }] }), c] });
  await db.connect();
  const spy = createClient({ url: redisUrl });
  spy.on('error', () => undefined);
  await spy.connect();
  const messages: string[] = [];
  await spy.subscribe(`${namespace}:invalidate`, (m) => messages.push(m));
  const secrets: string[] = [];
  const s = (p: string) => { const v = secret(p); secrets.push(v); return v; };
  try {
    const created = await db.people.createMany(Array.from({ length: 10 }, (_, i) => ({ name: `p${i}`, email: `${s('e')}@x.io`, ssn: s('ssn') })));
    for (let round = 0; round < 2; round++) {
      for (const p of created) {
        assert.equal(await db.people.get(p.id), p, 'a hit is decrypted on the way up');
        assert.is((await db.people.findOne({ where: { email: p.email } }))!.ssn, p.ssn);
      }
    }
    assert.ok(c.stats().total.local.hits + c.stats().total.shared.hits >= 20);
    await db.people.update(created[0]!.id, { ssn: s('ssn') });
    await db.people.deleteMany({ email: created[1]!.email });
    await db.people.get(created[0]!.id);
    await new Promise((r) => setTimeout(r, 100));
    const keys: string[] = [];
    const reader = createClient({ url: redisUrl });
    reader.on('error', () => undefined);
    await reader.connect();
    for await (const batch of reader.scanIterator({ MATCH: `${namespace}:*`, COUNT: 500 })) keys.push(...batch);
    const values = await Promise.all(keys.map((k) => reader.type(k).then((t) => (t === 'string' ? reader.get(k) : ''))));
    await reader.close();
    const dump = [...keys, ...values, ...messages].join('\n');
    assert.ok(keys.length > 10 && messages.some((m) => !m.includes('heartbeat')), 'entries and invalidation messages exist');
    const leaks = secrets.flatMap((v) => encodings(v).filter((e) => dump.includes(e)));
    assert.equal(leaks, []);
  } finally {
    await spy.close();
    await c.clear();
    await db.close();
  }
});

test.run();
