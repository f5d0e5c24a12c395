import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { requireService } from '@chatcore/core/testing';
import { cache } from '../src/index.js';
import { instrument, openDb, randomNamespace, sleep, TEST_REDIS_TIMEOUT } from './helpers/fixtures.js';

await requireService('redis');
const redisUrl = 'redis://127.0.0.1:6379';

for (const [name, opts] of [['redis', { redisUrl, redisTimeout: TEST_REDIS_TIMEOUT }], ['in-memory', {}]] as const) {
  test(`100 concurrent gets of one cold key cause exactly one database read (${name})`, async () => {
    const ins = instrument();
    const c = cache({ ...opts, namespace: randomNamespace() });
    const db = await openDb([c], ins.driver);
    const u = await db.users.create({ name: 'Hot' });
    const results = await Promise.all(Array.from({ length: 100 }, () => db.users.get(u.id)));
    assert.is(ins.reads.getByIds, 1);
    assert.ok(results.every((r) => r!.name === 'Hot'));
    results[0]!.name = 'mutated';
    assert.is(results[1]!.name, 'Hot', 'each caller has its own copy');
    const found = await Promise.all(Array.from({ length: 100 }, () => db.users.find({ where: { name: 'Hot' } })));
    assert.is(ins.reads.query, 1);
    assert.ok(found.every((r) => r.length === 1));
    await c.clear();
    await db.close();
  });
}

for (const [name, opts] of [['both tiers', {}], ['in-process tier off', { local: false }], ['shared tier off', { shared: false }]] as const) {
  test(`a read that starts after a write never joins a read in flight from before it (${name})`, async () => {
    const ins = instrument();
    const c = cache({ redisUrl, redisTimeout: TEST_REDIS_TIMEOUT, namespace: randomNamespace(), ...opts });
    const db = await openDb([c], ins.driver);
    const u = await db.users.create({ name: 'before' });
    let release!: () => void;
    let held!: () => void;
    const isHeld = new Promise<void>((r) => (held = r));
    ins.gate = () => { held(); return new Promise<void>((r) => (release = r)); };
    const early = db.users.get(u.id);
    await isHeld;
    ins.gate = undefined;
    await db.users.update(u.id, { name: 'after' });
    const late = await db.users.get(u.id);
    release();
    assert.is((await early)!.name, 'before');
    assert.is(late!.name, 'after');
    assert.is((await db.users.get(u.id))!.name, 'after');
    await c.clear();
    await db.close();
  });
}

for (const [name, extra] of [['both tiers', {}], ['shared tier only', { local: false }]] as const) {
test(`stale-while-revalidate serves an expired entry during the grace period and refreshes it once (${name})`, async () => {
  const ins = instrument();
  const c = cache({ redisUrl, redisTimeout: TEST_REDIS_TIMEOUT, namespace: randomNamespace(), repositories: { users: { ttl: 40, grace: '10s' } }, ...extra });
  const db = await openDb([c], ins.driver);
  // The in-process tier fills only while the bus is up.
  for (let i = 0; i < 200 && c.stats().bus !== 'up'; i++) await sleep(10);
  const u = await db.users.create({ name: 'Old' });
  await db.users.get(u.id);
  await sleep(60);
  const reads = ins.reads.getByIds;
  const stale = await Promise.all(Array.from({ length: 20 }, () => db.users.get(u.id)));
  assert.ok(stale.every((r) => r!.name === 'Old'));
  for (let i = 0; i < 200 && ins.reads.getByIds === reads; i++) await sleep(10);
  await sleep(20);
  assert.is(ins.reads.getByIds, reads + 1, 'one background refresh');
  // With both tiers the in-process entry is served stale; with the in-process tier off, the shared one.
  const tier = name === 'both tiers' ? 'local' : 'shared';
  assert.ok(c.stats().total[tier].stale >= 1, `the ${tier} tier served the stale entry`);
  // A write is never served stale, grace or not.
  await db.users.update(u.id, { name: 'New' });
  assert.is((await db.users.get(u.id))!.name, 'New');
  await c.clear();
  await db.close();
});

}

test.run();
