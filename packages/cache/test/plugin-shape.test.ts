import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cache, type CacheStats } from '../src/index.js';
import { openDb, randomNamespace } from './helpers/fixtures.js';

// The shape every chatcore plugin shares (docs/architecture.md, "Plugins").
test('stats() is a plain JSON snapshot, new on every call; health() is named after the plugin; close() twice is harmless', async () => {
  const c = cache({ namespace: randomNamespace() });
  const db = await openDb([c]);
  const u = await db.users.create({ name: 'shape' });
  await db.users.get(u.id);
  const before: CacheStats = c.stats();
  assert.equal(JSON.parse(JSON.stringify(before)), before);
  await db.users.get(u.id);
  const after = c.stats();
  assert.is(before.repositories.users!.local.hits, 0, 'an earlier snapshot does not change');
  assert.is(after.repositories.users!.local.hits, 1);
  after.repositories.users!.local.hits = 99;
  assert.is(c.stats().repositories.users!.local.hits, 1, 'a snapshot is the caller\'s to change');
  const [health] = await c.health();
  assert.equal(health, { name: c.name, status: 'up', details: { breaker: 'none', bus: 'none', pendingInvalidations: 0, localEntries: after.localEntries } });
  await db.close();
  await c.close();
});

test.run();
