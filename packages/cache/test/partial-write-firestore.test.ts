import { randomBytes, randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, PartialWriteError } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { firestore } from '@chatcore/firestore';
import { cache, type CacheOptions } from '../src/index.js';
import { randomNamespace, TEST_REDIS_TIMEOUT } from './helpers/fixtures.js';

await requireService('redis');
await requireService('firestore');

const notes = defineRepository('notes', { id: f.id(), tag: f.string().indexed(), body: f.text() }, { plugins: { cache: { ttl: '5m' } } });
const emulatorHost = process.env.FIRESTORE_EMULATOR_HOST ?? '127.0.0.1:8080';

/** Two databases on one emulator project (batches of 2 writes) and one cache namespace. */
async function pair(options: CacheOptions) {
  const projectId = `cache-${randomBytes(4).toString('hex')}`;
  const open = async () => {
    const c = cache(options);
    const db = createDatabase({ driver: firestore({ projectId, emulatorHost, maxBatchOps: 2 }), repositories: { notes }, plugins: [c] });
    await db.connect();
    return { db, c };
  };
  return [await open(), await open()] as const;
}

/** Poll `read` until it returns `want` or 1 s passes; returns what it read last. */
async function within1s<T>(read: () => Promise<T>, want: T): Promise<T> {
  const end = Date.now() + 1000;
  let got = await read();
  while (JSON.stringify(got) !== JSON.stringify(want) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 10));
    got = await read();
  }
  return got;
}

for (const [tiers, options] of [
  ['in-memory tiers', () => ({ namespace: randomNamespace() })],
  ['Redis, both tiers', () => ({ redisUrl: 'redis://127.0.0.1:6379', redisTimeout: TEST_REDIS_TIMEOUT, namespace: randomNamespace() })],
] as const) {
  test(`a split createMany that fails after its first batch drops the cached reads of what it wrote (${tiers})`, async () => {
    const [a, b] = await pair(options());
    try {
      const existing = await a.db.notes.create({ tag: 'other', body: 'e' });
      const rows = [0, 1, 2].map((i) => ({ id: randomUUID(), tag: 'x', body: `b${i}` }));
      for (const { db } of [a, b]) {
        assert.equal(await db.notes.find({ where: { tag: 'x' } }), [], 'cached: no note tagged x');
        assert.is(await db.notes.get(rows[0]!.id), null, 'cached: absent');
        assert.is(await db.notes.count({ tag: 'x' }), 0);
      }
      // Batches of 2: the first (rows 0 and 1) commits, the second fails on the existing id.
      const error = await a.db.notes.createMany([...rows, { id: existing.id, tag: 'x', body: 'dup' }]).catch((e: unknown) => e);
      assert.instance(error, PartialWriteError);
      const written = [...(error as PartialWriteError).writtenIds].sort();
      assert.equal(written, [rows[0]!.id, rows[1]!.id].sort());
      const ids = async (db: typeof a.db) => (await db.notes.find({ where: { tag: 'x' } })).map((n) => n.id).sort();
      // The writer at once; the other database within the bus delay (in-memory tiers: no bus, its own cache).
      assert.equal(await ids(a.db), written, 'find sees the committed rows');
      assert.is((await a.db.notes.get(rows[0]!.id))?.body, 'b0', 'get sees a committed row');
      assert.is(await a.db.notes.count({ tag: 'x' }), 2);
      if ('redisUrl' in options()) {
        assert.equal(await within1s(() => ids(b.db), written), written, 'the other database sees them too');
        assert.is(await within1s(async () => (await b.db.notes.get(rows[1]!.id))?.body, 'b1'), 'b1');
      }
    } finally {
      await a.c.clear();
      await Promise.all([a.db.close(), b.db.close()]);
    }
  });
}

test.run();
