import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Plugin, StoredRow } from '@chatcore/core/plugin';
import { CapturedSink, openDb } from './helpers/fixtures.js';

/**
 * A plugin below the audit plugin that answers repeated gets itself and says so in
 * `servedBy`, with the value the real cache gives (the real cache is tested with
 * audit in packages/encryption/test/audit-cache-stack.test.ts).
 */
function answering(name: string, servedBy: string): Plugin {
  const rows = new Map<string, StoredRow>();
  return {
    name,
    placement: { storesData: true },
    async around(op, _ctx, next) {
      if (op.kind === 'get' && op.ids.length === 1 && rows.has(op.ids[0]!)) return { rows: [{ ...rows.get(op.ids[0]!)! }], servedBy };
      const result = await next(op);
      if (op.kind === 'get') for (const r of result.rows) rows.set(r.id as string, { ...r });
      return result;
    },
  };
}

async function readsThrough(plugin: Plugin): Promise<Array<Record<string, unknown>>> {
  const sink = new CapturedSink();
  const { db } = await openDb('memory', { sinks: { console: { stream: sink.stream } } }, { plugins: [plugin] });
  const u = await db.users.create({ name: 'a', email: 'a@x.io' } as never) as { id: string };
  await db.users.get(u.id);
  await db.users.get(u.id);
  await db.users.count({} as never);
  await db.close();
  const reads = sink.operations().filter((e) => e.family === 'read');
  assert.equal(reads[1]!.ids, [u.id]);
  return reads;
}

test('reads the cache answered are hits with the tier from servedBy (cache:<tier>), others misses', async () => {
  const reads = await readsThrough(answering('tiny-cache', 'cache:local'));
  assert.equal(reads.map((e) => [e.method, e.cache, e.cacheTier, e.servedBy]), [['get', 'miss', undefined, undefined], ['get', 'hit', 'local', undefined], ['count', 'miss', undefined, undefined]]);
});

test('servedBy: "cache" without a tier is still a hit (the event format before tiers)', async () => {
  const reads = await readsThrough(answering('tiny-cache', 'cache'));
  assert.equal(reads.map((e) => [e.cache, e.cacheTier]), [['miss', undefined], ['hit', undefined], ['miss', undefined]]);
});

test('a read another plugin answered is a miss of the cache, with that plugin in servedBy', async () => {
  const reads = await readsThrough(answering('replica', 'replica:eu'));
  assert.equal(reads.map((e) => [e.cache, e.servedBy]), [['miss', undefined], ['miss', 'replica:eu'], ['miss', undefined]]);
});

test.run();
