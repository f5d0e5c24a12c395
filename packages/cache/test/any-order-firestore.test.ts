import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { firestore } from '@chatcore/firestore';
import { cache, type CachePlugin } from '../src/index.js';
import { randomNamespace, TEST_REDIS_TIMEOUT } from './helpers/fixtures.js';

await requireService('redis');
await requireService('firestore');

const items = defineRepository('items', { id: f.id(), age: f.integer() }, { plugins: { cache: { ttl: '5m' } } });

/**
 * exists() asks for any matching row; with a range filter Firestore answers
 * in the order of that field, not by id. Its answer must not be the one a
 * find with the same filter, `orderBy: id`, limit 1 and `select: ['id']`
 * gets from the cache.
 */
async function existsThenFind(c: CachePlugin): Promise<void> {
  const emulatorHost = process.env.FIRESTORE_EMULATOR_HOST ?? '127.0.0.1:8080';
  const db = createDatabase({ driver: firestore({ projectId: `cache-${randomBytes(4).toString('hex')}`, emulatorHost }), repositories: { items }, plugins: [c] });
  await db.connect();
  try {
    const first = await db.items.create({ age: 50 });
    const second = await db.items.create({ age: 10 });
    assert.ok(first.id < second.id, 'ids grow');
    const q = { where: { age: { gt: 3 } }, orderBy: { id: 'asc' as const }, limit: 1, select: ['id' as const] };
    assert.is(await db.items.exists({ age: { gt: 3 } }), true);
    assert.equal((await db.items.find(q)).map((r) => r.id), [first.id], 'the lowest id, as asked');
    assert.equal((await db.items.find(q)).map((r) => r.id), [first.id], 'and again, from the cache');
    assert.is(await db.items.exists({ age: { gt: 3 } }), true);
  } finally {
    await c.clear();
    await db.close();
  }
}

test('exists() on Firestore never answers a find in id order (in-memory tiers)', () => existsThenFind(cache({ namespace: randomNamespace() })));
test('exists() on Firestore never answers a find in id order (Redis, shared tier only)', () =>
  existsThenFind(cache({ redisUrl: 'redis://127.0.0.1:6379', redisTimeout: TEST_REDIS_TIMEOUT, namespace: randomNamespace(), local: false })));

test.run();
