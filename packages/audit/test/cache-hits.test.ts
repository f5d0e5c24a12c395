import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Plugin, StoredRow } from '@chatcore/core/plugin';
import { CapturedSink, openDb } from './helpers/fixtures.js';

/** A minimal read-through cache below the audit plugin: answers repeated gets itself, like @chatcore/cache. */
function tinyCache(): Plugin {
  const rows = new Map<string, StoredRow>();
  return {
    name: 'tiny-cache',
    placement: { storesData: true },
    async around(op, _ctx, next) {
      if (op.kind === 'get' && op.ids.length === 1 && rows.has(op.ids[0]!)) return { rows: [{ ...rows.get(op.ids[0]!)! }], servedBy: 'cache' };
      const result = await next(op);
      if (op.kind === 'get') for (const r of result.rows) rows.set(r.id as string, { ...r });
      return result;
    },
  };
}

test('reads answered by a cache below the audit plugin are recorded as hits, others as misses', async () => {
  const sink = new CapturedSink();
  const { db } = await openDb('memory', { sinks: { console: { stream: sink.stream } } }, { plugins: [tinyCache()] });
  const u = await db.users.create({ name: 'a', email: 'a@x.io' } as never) as { id: string };
  await db.users.get(u.id);
  await db.users.get(u.id);
  await db.users.count({} as never);
  await db.close();
  const reads = sink.operations().filter((e) => e.family === 'read');
  assert.equal(reads.map((e) => [e.method, e.cache]), [['get', 'miss'], ['get', 'hit'], ['count', 'miss']]);
  assert.equal((reads[1]!.ids as string[]), [u.id]);
});

test.run();
