import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient } from '@keyv/redis';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { requireService } from '@chatcore/core/testing';
import { cache } from '../src/index.js';
import { randomNamespace, TEST_REDIS_TIMEOUT } from './helpers/fixtures.js';

await requireService('redis');
const redisUrl = 'redis://127.0.0.1:6379';

const accounts = defineRepository('accounts', { id: f.id(), login: f.string(), password: f.string().secret(), version: f.version() }, { plugins: { cache: true } });

test('password hashes never enter the cache, and verifySecret always reads the database', async () => {
  const namespace = randomNamespace();
  const c = cache({ redisUrl, redisTimeout: TEST_REDIS_TIMEOUT, namespace });
  const db = createDatabase({ driver: memoryDriver(), repositories: { accounts }, plugins: [c] });
  await db.connect();
  const a = await db.accounts.create({ login: 'ada', password: 'correct horse' });
  for (let i = 0; i < 3; i++) {
    assert.not.ok('password' in (await db.accounts.get(a.id))!);
    await db.accounts.find({ where: { login: 'ada' } });
    await db.accounts.getMany([a.id]);
  }
  assert.ok(await db.accounts.verifySecret(a.id, 'password', 'correct horse'));
  await db.accounts.update(a.id, { password: 'battery staple' });
  assert.not.ok(await db.accounts.verifySecret(a.id, 'password', 'correct horse'));
  assert.ok(await db.accounts.verifySecret(a.id, 'password', 'battery staple'));
  await new Promise((r) => setTimeout(r, 50));
  const reader = createClient({ url: redisUrl });
  reader.on('error', () => undefined);
  await reader.connect();
  const keys: string[] = [];
  for await (const batch of reader.scanIterator({ MATCH: `${namespace}:*`, COUNT: 500 })) keys.push(...batch);
  const values = (await Promise.all(keys.map((k) => reader.get(k)))).join('\n');
  await reader.close();
  assert.ok(values.includes('ada'), 'entries were cached');
  assert.not.ok(/scrypt|\$s\d|password/.test(values), 'no hash and no secret field in Redis');
  assert.ok(c.stats().repositories.accounts!.local.bypasses >= 3, 'verifySecret bypassed the cache');
  await c.clear();
  await db.close();
});

test.run();
