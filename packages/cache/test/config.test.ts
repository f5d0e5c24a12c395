import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineRepository, f } from '@chatcore/core';
import { createStack } from '@chatcore/core/config';
import { requireService } from '@chatcore/core/testing';
import { cache, cacheOptionsFromConfig, type CachePlugin } from '../src/index.js';
import { notes, openDb, randomNamespace, users } from './helpers/fixtures.js';

await requireService('redis');

test('a chatcore.yaml cache section (snake_case, ${ENV}, durations) builds a working cache', async () => {
  const namespace = randomNamespace();
  const yaml = `
database:
  backend: memory
cache:
  redis_url: \${REDIS_URL}
  namespace: ${namespace}
  ttl: 30s
  local_max_entries: 100
  repositories:
    users: { ttl: 2m }
`;
  const db = await createStack({ config: yaml, env: { REDIS_URL: 'redis://127.0.0.1:6379' }, repositories: { users, notes } });
  await db.connect();
  const c = db.plugin<CachePlugin>('cache')!;
  const u = await db.users.create({ name: 'cfg' });
  await db.users.get(u.id);
  await db.users.get(u.id);
  assert.is(c.stats().repositories.users!.local.hits, 1);
  assert.is(c.stats().bus, 'up');
  await c.clear();
  await db.close();
});

test('section mapping: durations, enabled: false and local_max_entries: 0', () => {
  const o = cacheOptionsFromConfig({ enabled: false, ttl: 30_000, localMaxEntries: 0, repositories: { users: { ttl: 60_000, enabled: true } } });
  assert.equal(o, { enabled: false, ttl: 30_000, local: false, repositories: { users: { ttl: 60_000, enabled: true } } });
});

test('local_max_bytes: 0 (accepted by the schema) turns the in-process tier off; other values bound it', async () => {
  assert.equal(cacheOptionsFromConfig({ enabled: true, localMaxBytes: 0, localMaxEntries: 50 }), { enabled: true, local: false, repositories: {} });
  assert.equal(cacheOptionsFromConfig({ enabled: true, localMaxBytes: 4096 }), { enabled: true, localMaxBytes: 4096, repositories: {} });
  const yaml = `
database:
  backend: memory
cache:
  namespace: ${randomNamespace()}
  local_max_bytes: 0
  repositories:
    users: { ttl: 2m }
`;
  const db = await createStack({ config: yaml, repositories: { users, notes } });
  await db.connect();
  const c = db.plugin<CachePlugin>('cache')!;
  const u = await db.users.create({ name: 'cfg' });
  await db.users.get(u.id);
  await db.users.get(u.id);
  const s = c.stats().repositories.users!;
  assert.is(s.local.hits + s.local.misses + s.local.fills, 0, 'no in-process tier');
  assert.is(s.shared.hits, 1, 'the shared tier still answers');
  await db.close();
});

test('a cache section caches every repository by default', async () => {
  const yaml = `database:\n  backend: memory\ncache:\n  namespace: ${randomNamespace()}\n`;
  // A repository that says nothing about caching, next to one that opts out in its definition.
  const plain = defineRepository('plain', { id: f.id(), title: f.string() });
  const db = await createStack({ config: yaml, repositories: { plain, notes } });
  await db.connect();
  const c = db.plugin<CachePlugin>('cache')!;
  const p = await db.plain.create({ title: 'all' });
  const n = await db.notes.create({ owner: 'o', body: 'b' });
  for (let i = 0; i < 2; i++) { await db.plain.get(p.id); await db.notes.get(n.id); }
  assert.is(c.stats().repositories.plain!.local.hits, 1);
  assert.is(c.stats().repositories.notes, undefined, 'opted out in its definition');
  await db.close();
});

test('section sizes: local_max_bytes takes bytes or "64MiB"', () => {
  assert.equal(cacheOptionsFromConfig({ enabled: true, localMaxBytes: 64 * 1024 * 1024 }).localMaxBytes, 67_108_864);
});

test('enabled: false passes every call through', async () => {
  const c = cache(cacheOptionsFromConfig({ enabled: false, redisUrl: 'redis://127.0.0.1:6379' }));
  const db = await openDb([c]);
  const u = await db.users.create({ name: 'x' });
  await db.users.get(u.id);
  await db.users.get(u.id);
  assert.is(c.stats().total.local.hits + c.stats().total.local.misses, 0);
  await db.close();
});

test.run();
