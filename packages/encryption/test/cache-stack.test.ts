import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createClient } from '@keyv/redis';
import { createDatabase, ConfigError } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { requireService } from '@chatcore/core/testing';
import { cache } from '@chatcore/cache';
import { encryption } from '../src/index.js';
import { KEY_A, highEntropy } from './helpers/keys.js';
import { scenarioRepos } from './helpers/plaintext-scenario.js';
import { findLeaks } from './helpers/plaintext-scan.js';

await requireService('redis');
const namespace = `encstack${randomBytes(4).toString('hex')}`;
const { people, chats } = scenarioRepos('cache');
const c = cache({ redisUrl: 'redis://127.0.0.1:6379', namespace, repositories: { [people.schema.name]: true, [chats.schema.name]: true } });
const db = createDatabase({ driver: memoryDriver(), repositories: { people, chats }, plugins: [encryption({ keys: [{ id: 'k1', key: KEY_A }] }), c] });
await db.connect();

const redis = (...args: string[]) => execFileSync('redis-cli', ['-h', '127.0.0.1', '--raw', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });

/** Every key of this run's namespace and every value behind it, as text. */
function redisDump(): string {
  const keys = redis('--scan', '--pattern', `${namespace}*`).split('\n').filter(Boolean);
  const out: string[] = [...keys];
  for (const k of keys) {
    const type = redis('TYPE', k).trim();
    if (type === 'string') out.push(redis('GET', k));
    else if (type === 'hash') out.push(redis('HGETALL', k));
    else if (type === 'list') out.push(redis('LRANGE', k, '0', '-1'));
    else if (type === 'set') out.push(redis('SMEMBERS', k));
    else if (type === 'zset') out.push(redis('ZRANGE', k, '0', '-1', 'WITHSCORES'));
  }
  return out.join('\n');
}

test('a cache above the encryption plugin is refused, naming the fix', () => {
  assert.throws(
    () => createDatabase({ driver: memoryDriver(), repositories: { people }, plugins: [cache(), encryption({ keys: [{ id: 'k1', key: KEY_A }] })] }),
    (e: Error) => e instanceof ConfigError && /\[encryption, cache\]/.test(e.message),
  );
});

test('cache hits pass back through decryption, and Redis keys, values and invalidation messages hold no plaintext', async () => {
  const spy = createClient({ url: 'redis://127.0.0.1:6379' });
  spy.on('error', () => undefined);
  await spy.connect();
  const messages: string[] = [];
  await spy.subscribe(`${namespace}:invalidate`, (m) => messages.push(m));
  const secrets: string[] = [];
  const s = (p: string) => { const v = highEntropy(p); secrets.push(v); return v; };
  try {
    const created = await db.people.createMany(Array.from({ length: 20 }, (_, i) => ({ name: `p${i}`, email: `${s('e')}@c.io`, ssn: s('ssn') })));
    const chat = await db.chats.create({ conversationId: 'conv', body: s('body'), author: s('author') });
    for (let round = 0; round < 3; round++) {
      for (const p of created.slice(0, 10)) {
        assert.equal(await db.people.get(p.id), p);
        assert.equal((await db.people.findOne({ where: { email: p.email } }))!.ssn, p.ssn);
      }
      assert.is((await db.chats.find({ where: { author: chat.author } }))[0]!.body, chat.body);
      assert.is((await db.chats.find({ where: { conversationId: 'conv' } }))[0]!.body, chat.body);
    }
    const stats = c.stats();
    assert.ok(stats.total.local.hits + stats.total.shared.hits >= 20, 'the second and third rounds were served by the cache');
    const updated = await db.people.update(created[0]!.id, { ssn: s('ssn') });
    assert.is((await db.people.get(created[0]!.id))!.ssn, updated.ssn);
    // A delete by a searchable field: the filter reaches the cache as a blind index, never as the address.
    assert.is(await db.people.deleteMany({ email: created[1]!.email }), 1);
    assert.is(await db.people.findOne({ where: { email: created[1]!.email } }), null);
    const deadline = Date.now() + 5000;
    while (!messages.some((m) => !m.includes('heartbeat')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  } finally {
    await spy.close();
  }
  assert.ok(messages.some((m) => !m.includes('heartbeat')), 'writes published invalidation messages');
  const dump = redisDump();
  assert.ok(dump.length > 500, 'the cache holds entries');
  assert.equal(findLeaks([dump, ...messages].join('\n'), secrets), []);
});

test.after(async () => {
  await db.close();
  const keys = redis('--scan', '--pattern', `${namespace}*`).split('\n').filter(Boolean);
  if (keys.length) redis('DEL', ...keys);
});
test.run();
