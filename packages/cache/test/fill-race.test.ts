import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { requireService } from '@chatcore/core/testing';
import { cache, type CachePlugin } from '../src/index.js';
import { instrument, openDb, randomNamespace } from './helpers/fixtures.js';

await requireService('redis');

/**
 * Force the interleaving: a read fetches the old row and is held; a write
 * commits and invalidates; then the read is released and tries to fill.
 * Afterwards every tier must serve the new value.
 */
async function raceRounds(makePlugin: () => CachePlugin, kind: 'get' | 'find', rounds: number): Promise<{ stale: number; sharedFills: number; localFills: number }> {
  const ins = instrument();
  const c = makePlugin();
  const db = await openDb([c], ins.driver);
  let stale = 0;
  let sharedFills = 0;
  let localFills = 0;
  try {
    for (let i = 0; i < rounds; i++) {
      const u = await db.users.create({ name: `v0-${i}`, age: i });
      let release!: () => void;
      let held!: () => void;
      const isHeld = new Promise<void>((r) => (held = r));
      ins.gate = () => { held(); return new Promise<void>((r) => (release = r)); };
      const slow = kind === 'get' ? db.users.get(u.id) : db.users.find({ where: { age: i } });
      await isHeld;
      ins.gate = undefined;
      await db.users.update(u.id, { name: `v1-${i}` });
      release();
      const old = await slow;
      const oldName = Array.isArray(old) ? old[0]!.name : old!.name;
      assert.is(oldName, `v0-${i}`, 'the held read returns what it read');
      const now = kind === 'get' ? await db.users.get(u.id) : (await db.users.find({ where: { age: i } }))[0]!;
      const again = kind === 'get' ? await db.users.get(u.id) : (await db.users.find({ where: { age: i } }))[0]!;
      if (now!.name !== `v1-${i}` || again!.name !== `v1-${i}`) stale++;
    }
    await new Promise((r) => setTimeout(r, 50));
    sharedFills = c.stats().total.shared.fills;
    localFills = c.stats().total.local.fills;
  } finally {
    await c.clear();
    await db.close();
  }
  return { stale, sharedFills, localFills };
}

const redisUrl = 'redis://127.0.0.1:6379';
// A generous Redis timeout: on a loaded machine a 150 ms timeout would send some reads past the
// shared tier, and this test wants every held read to really fill it.
const redisTimeout = '5s';
const setups: Record<string, () => CachePlugin> = {
  'redis, both tiers': () => cache({ redisUrl, namespace: randomNamespace(), redisTimeout }),
  'redis, shared tier only': () => cache({ redisUrl, namespace: randomNamespace(), local: false, redisTimeout }),
  'in-memory tiers': () => cache({ namespace: randomNamespace() }),
};

for (const [name, make] of Object.entries(setups)) {
  for (const kind of ['get', 'find'] as const) {
    test(`fill race (${name}, ${kind}): a read held across a committed write never leaves the old value behind, 100 times`, async () => {
      const r = await raceRounds(make, kind, 100);
      assert.is(r.stale, 0);
      // Each round the held read's fills were refused: the shared tier's because its counter value is below
      // the one the write's INCR returned, the in-process tier's by the generation. Only the fresh reads filled.
      if (!name.includes('in-memory')) assert.ok(r.sharedFills >= 100 && r.sharedFills < 200, `only fresh reads filled the shared tier (${r.sharedFills})`);
      if (!name.includes('shared tier only')) assert.ok(r.localFills <= 100, `in-process fills of held reads were refused (${r.localFills})`);
    });
  }
}

test.run();
