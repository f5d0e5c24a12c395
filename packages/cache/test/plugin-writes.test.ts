import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Plugin, PluginHost } from '@chatcore/core/plugin';
import { createClient } from '@keyv/redis';
import { requireService } from '@chatcore/core/testing';
import { cache } from '../src/index.js';
import { openDb, randomNamespace, TEST_REDIS_TIMEOUT } from './helpers/fixtures.js';

await requireService('redis');
const redisUrl = 'redis://127.0.0.1:6379';

test('a write a plugin sends through host.execute (no afterCommit) still invalidates the cache', async () => {
  let host!: PluginHost;
  const job: Plugin = { name: 'job', connect(h) { host = h; } };
  const c = cache({ namespace: randomNamespace() });
  const db = await openDb([job, c]);
  const u = await db.users.create({ name: 'before', age: 1 });
  assert.is((await db.users.get(u.id))!.name, 'before');
  assert.is((await db.users.find({ where: { age: 1 } }))[0]!.name, 'before');
  await host.execute('job', { kind: 'update', schema: host.schema(db.users.schema.name), target: { ids: [u.id] }, patch: { set: { name: 'after' }, increment: { version: 1 } } });
  assert.is((await db.users.get(u.id))!.name, 'after');
  assert.is((await db.users.find({ where: { age: 1 } }))[0]!.name, 'after');
  await db.close();
});

test('each committed write bumps the generation once: autocommitted in around, transactional in afterCommit', async () => {
  const namespace = randomNamespace();
  const c = cache({ redisUrl, redisTimeout: TEST_REDIS_TIMEOUT, namespace });
  const db = await openDb([c]);
  const redis = createClient({ url: redisUrl });
  redis.on('error', () => undefined);
  await redis.connect();
  const gen = async () => Number(await redis.get(`${namespace}:{users}:gen`));
  const u = await db.users.create({ name: 'a' });
  // A counter starts from Redis's clock (see RedisSharedTier), then goes up by one per bump.
  const g0 = await gen();
  assert.ok(g0 > 1e15, 'the generation started from the clock');
  await db.users.get(u.id);
  await db.users.update(u.id, { name: 'b' });
  assert.is(await gen(), g0 + 1);
  assert.is((await db.users.get(u.id))!.name, 'b');
  await db.transaction(async (tx) => { await tx.users.update(u.id, { name: 'c' }); await tx.users.create({ name: 'd' }); });
  assert.is(await gen(), g0 + 2, 'one bump per committed transaction');
  assert.is((await db.users.get(u.id))!.name, 'c');
  await db.transaction(async (tx) => { await tx.users.update(u.id, { name: 'x' }); throw new Error('rollback'); }).catch(() => undefined);
  assert.is(await gen(), g0 + 2, 'a rollback bumps nothing');
  await redis.close();
  await c.clear();
  await db.close();
});

test.run();
