import { execFileSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Plugin } from '@chatcore/core/plugin';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '@chatcore/postgres';
import { cache } from '../src/index.js';
import { TABLE_SUFFIX, openDb, randomNamespace, sleep, TEST_REDIS_TIMEOUT } from './helpers/fixtures.js';
import { PG_URL } from './helpers/coherence-suite.js';

await requireService('redis');
await requireService('postgres');

/**
 * Inside db.transaction, a write reaches the database and then its call
 * fails; the caller catches the error and the transaction commits. The
 * committed value must be what every later read returns.
 */
type Failure = 'plugin above throws' | 'timeout';
/** How long after the write its answer comes back when it fails by timeout; the tests wait a little longer before reading. */
const SLOW_ANSWER_MS = 1300;

/** Plugins around the cache that make writes fail after they reached the database, while `arm.on` is set. */
function failing(how: Failure): { plugins: (c: Plugin) => Plugin[]; arm: { on: boolean }; options: { timeout?: number } } {
  const arm = { on: false };
  if (how === 'plugin above throws') {
    const above: Plugin = { name: 'above', async around(op, _ctx, next) { const r = await next(op); if (arm.on && op.kind !== 'insert') throw new Error('failed after the write'); return r; } };
    return { plugins: (c) => [above, c], arm, options: {} };
  }
  // Below the cache: the statement has run, and its answer comes back after the call's deadline. The statement has 1 s
  // to reach the database before that deadline: on a loaded machine 100 ms was not always enough, and nothing was written.
  const slow: Plugin = { name: 'slow', async around(op, _ctx, next) { const r = await next(op); if (arm.on && op.kind !== 'insert') await sleep(SLOW_ANSWER_MS); return r; } };
  return { plugins: (c) => [c, slow], arm, options: { timeout: 1000 } };
}

/** A stack failing writes `how`, and one user (of a fresh age) read once, so that its get is cached. */
async function cachedUser(how: 'plugin above throws' | 'timeout', local: boolean) {
  const f = failing(how);
  const c = cache({ redisUrl: 'redis://127.0.0.1:6379', redisTimeout: TEST_REDIS_TIMEOUT, namespace: randomNamespace(), local });
  const db = await openDb(f.plugins(c), postgres({ url: PG_URL, poolSize: 4 }));
  const age = 1000 + Math.floor(Math.random() * 1e6);
  const u = await db.users.create({ name: 'old', age });
  assert.is((await db.users.get(u.id))!.name, 'old');
  return { f, c, db, age, u };
}

for (const how of ['plugin above throws', 'timeout'] as const) {
  for (const local of [true, false]) {
    const tiers = local ? 'both tiers' : 'shared tier only';
    test(`a failed update by id in a committed transaction is invalidated (${how}, ${tiers})`, async () => {
      const { f, c, db, age, u } = await cachedUser(how, local);
      try {
        assert.is((await db.users.find({ where: { age } }))[0]!.name, 'old');
        let caught: unknown;
        await db.transaction(async (tx) => {
          f.arm.on = true;
          await tx.users.update(u.id, { name: 'new' }, f.options).catch((e: unknown) => (caught = e));
          f.arm.on = false;
        });
        assert.ok(caught, 'the update failed for its caller');
        await sleep(SLOW_ANSWER_MS + 100);
        assert.is((await db.users.get(u.id, { cache: false }))!.name, 'new', 'the transaction committed it');
        assert.is((await db.users.get(u.id))!.name, 'new');
        assert.is((await db.users.find({ where: { age } }))[0]!.name, 'new');
      } finally {
        await c.clear();
        await db.close();
      }
    });

    test(`a failed filter update in a committed transaction is invalidated, gets included (${how}, ${tiers})`, async () => {
      const { f, c, db, age, u } = await cachedUser(how, local);
      try {
        assert.is((await db.users.count({ age })), 1);
        await db.transaction(async (tx) => {
          f.arm.on = true;
          await tx.users.updateMany({ age }, { name: 'new' }, f.options).catch(() => undefined);
          f.arm.on = false;
        });
        await sleep(SLOW_ANSWER_MS + 100);
        assert.is((await db.users.get(u.id))!.name, 'new');
        assert.is((await db.users.find({ where: { age } }))[0]!.name, 'new');
      } finally {
        await c.clear();
        await db.close();
      }
    });
  }
}

test.after(() => {
  execFileSync('psql', [PG_URL, '-q', '-c', `DROP TABLE IF EXISTS "cache_users_${TABLE_SUFFIX}", "cache_notes_${TABLE_SUFFIX}"`], { stdio: 'ignore' });
});

test.run();
