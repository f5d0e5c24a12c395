// The metrics read from the rest of the stack at scrape time: every cache counter stats() has that the
// metrics export, and no sample at all for a part the stack lacks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase } from '@chatcore/core';
import { closedPort, memoryDriver } from '@chatcore/core/testing';
import { cache } from '@chatcore/cache';
import { metrics } from '../src/index.js';
import { scrape, seriesCount, users, value } from './helpers/fixtures.js';

test('reads that bypass a Redis that is down are exported as cache_bypasses_total, as stats() counts them', async () => {
  const port = await closedPort();
  const m = metrics();
  const cached = cache({ redisUrl: `redis://127.0.0.1:${port}`, namespace: `metrics-bypass-${port}`, repositories: { users: true } });
  const db = createDatabase({ driver: memoryDriver(), repositories: { users }, plugins: [m, cached] });
  await db.connect();
  const u = await db.users.create({ name: 'a', handle: 'a' });
  for (let i = 0; i < 5; i++) assert.ok(await db.users.get(u.id));
  const stats = cached.stats().repositories.users!;
  const { families } = await scrape(m.registry);
  let bypasses = 0;
  for (const tier of ['local', 'shared'] as const) {
    bypasses += stats[tier].bypasses;
    for (const counter of ['bypasses', 'stale', 'evictions'] as const) {
      assert.is(value(families, `chatcore_cache_${counter}_total`, { repository: 'users', tier }), stats[tier][counter], `${counter} ${tier}`);
    }
  }
  assert.ok(bypasses >= 5, `${bypasses} bypasses counted by stats()`);
  await db.close();
});

test('a stack without cache, audit or encryption plugins exports no sample of their metrics', async () => {
  for (const m of [metrics(), metrics({ defaultLabels: { service: 'chat' } })]) {
    const db = createDatabase({ driver: memoryDriver(), repositories: { users }, plugins: [m] });
    await db.connect();
    await db.users.create({ name: 'a', handle: 'a' });
    const { families } = await scrape(m.registry);
    const parts = families.filter((f) => /^chatcore_(cache|audit|encryption)_/.test(f.name));
    assert.ok(parts.some((f) => f.name === 'chatcore_cache_pending_invalidations'), 'the family is registered');
    assert.is(seriesCount(parts), 0, JSON.stringify(parts.filter((f) => f.metrics.length).map((f) => f.name)));
    await db.close();
  }
});

test.run();
