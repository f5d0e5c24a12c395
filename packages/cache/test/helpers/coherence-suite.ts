import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { SecretValue } from '@chatcore/core/config';
import type { CacheOptions, CacheStats } from '../../src/index.js';
import { spawnCacheChild, type CacheChild } from './child-process.js';
import { flushNamespace } from './fixtures.js';

export const PG_URL = process.env.CHATCORE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Item { id: string; name: string; n: number }

/**
 * Two spawned processes on one PostgreSQL table and one cache namespace:
 * A caches, B writes, A must read the new value within the bus delay, and
 * then serve it from its in-process tier again.
 */
export function coherenceSuite(name: string, cacheOptions: () => CacheOptions, delays: number[]): void {
  const s = suite<{ a: CacheChild; b: CacheChild; table: string; opts: CacheOptions }>(name);
  s.before(async (ctx) => {
    ctx.table = `cache_items_${Math.random().toString(36).slice(2, 10)}`;
    const opts = (ctx.opts = cacheOptions());
    [ctx.a, ctx.b] = await Promise.all([
      spawnCacheChild({ table: ctx.table, pgUrl: PG_URL, cache: opts }),
      spawnCacheChild({ table: ctx.table, pgUrl: PG_URL, cache: opts }),
    ]);
  });
  s.after(async (ctx) => {
    await Promise.all([ctx.a?.close(), ctx.b?.close()]);
    execFileSync('psql', [PG_URL, '-q', '-c', `DROP TABLE IF EXISTS "${ctx.table}"`], { stdio: 'ignore' });
    if (ctx.opts.redisUrl && ctx.opts.namespace) await flushNamespace(String(SecretValue.reveal(ctx.opts.redisUrl)), ctx.opts.namespace);
  });

  s('A caches, B updates, A reads the new value and then serves it from its in-process tier', async ({ a, b }) => {
    const item = await a.call<Item>('create', { name: 'v0' });
    await a.call('get', { id: item.id });
    await a.call('get', { id: item.id });
    const hits0 = (await a.call<CacheStats>('stats')).total.local.hits;
    assert.ok(hits0 >= 1, 'A serves from its in-process tier');
    await b.call('update', { id: item.id, patch: { name: 'v1' } });
    const delay = await a.call<number>('waitFor', { id: item.id, name: 'v1' });
    delays.push(delay);
    assert.ok(delay < 1000, `A saw the write after ${delay} ms`);
    await a.call('get', { id: item.id });
    const again = await a.call<Item>('get', { id: item.id });
    assert.is(again.name, 'v1');
    const hits1 = (await a.call<CacheStats>('stats')).total.local.hits;
    assert.ok(hits1 > hits0, 'the new value is served from the in-process tier');
  });

  s('updateMany and delete in B reach the queries and gets cached in A', async ({ a, b }) => {
    const item = await a.call<Item>('create', { name: 'q0', n: 7 } as never);
    assert.is((await a.call<Item[]>('find', { n: 7 }))[0]!.name, 'q0');
    await b.call('updateMany', { n: 7, patch: { name: 'q1' } });
    let t = performance.now();
    for (;;) {
      const rows = await a.call<Item[]>('find', { n: 7 });
      if (rows[0]!.name === 'q1') break;
      assert.ok(performance.now() - t < 1000, 'query sees updateMany within 1 s');
    }
    delays.push(performance.now() - t);
    await a.call('get', { id: item.id });
    await b.call('delete', { id: item.id });
    t = performance.now();
    for (;;) {
      if ((await a.call<Item | null>('get', { id: item.id })) === null) break;
      assert.ok(performance.now() - t < 1000, 'get sees delete within 1 s');
    }
    delays.push(performance.now() - t);
  });

  s('deleteMany in B reaches the find and count cached in A', async ({ a, b }) => {
    await a.call('create', { name: 'd0', n: 9 } as never);
    await a.call('create', { name: 'd1', n: 9 } as never);
    assert.is((await a.call<Item[]>('find', { n: 9 })).length, 2);
    assert.is(await a.call<number>('count', { n: 9 }), 2);
    await b.call('deleteMany', { n: 9 });
    const t = performance.now();
    for (;;) {
      const [rows, count] = await Promise.all([a.call<Item[]>('find', { n: 9 }), a.call<number>('count', { n: 9 })]);
      if (rows.length === 0 && count === 0) break;
      assert.ok(performance.now() - t < 1000, 'find and count see deleteMany within 1 s');
    }
    delays.push(performance.now() - t);
  });

  s.run();
}
