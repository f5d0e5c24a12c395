import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { verifyAuditTrail } from '@chatcore/audit';
import { openDb, type Backend } from './fixtures.js';

type Opened = Awaited<ReturnType<typeof openDb>>;

function table(ctx: Opened, prefix: string) {
  return [...ctx.db.schemas.values()].find((s) => s.ownedBy === 'audit' && s.name.startsWith(prefix))!;
}

/** Register: a chained row whose mark is cleared does not stop the chainer; the verifier reports it as modified. */
export function registerOutboxUnmarked(backend: Backend, dataDir: () => string | undefined): void {
  test(`${backend}: a chained row set back to unchained is set aside, reported, and found by the verifier`, async () => {
    const tag = randomBytes(3).toString('hex');
    const extra = { tag, ...(dataDir() ? { dataDir: dataDir()! } : {}) };
    let ctx = await openDb(backend, { sinks: { outbox: true } }, extra);
    let victim: string;
    try {
      for (let i = 0; i < 5; i++) await ctx.db.users.create({ name: `n${i}`, email: `u${i}@x.io` } as never);
      await ctx.plugin.flush();
      const links = await ctx.db.driver.query(table(ctx, 'audit_links'), { orderBy: [{ field: 'seq', direction: 'asc' }] }, {});
      victim = links[2]!.id as string;
      await ctx.db.driver.update(table(ctx, 'audit_events'), { ids: [victim] }, { set: { batch: null }, increment: {} }, {});
    } finally {
      await ctx.db.close();
    }
    // The next start chains again: it must neither fail nor link the row a second time.
    ctx = await openDb(backend, { sinks: { outbox: true } }, extra);
    try {
      await ctx.db.users.create({ name: 'after', email: 'after@x.io' } as never);
      await ctx.plugin.flush();
      const reader = ctx.plugin.outboxReader();
      assert.is(await reader.pending(), 0, 'new rows are chained');
      const rows = await reader.rows();
      const alarm = rows.map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event) as Record<string, unknown>)
        .find((e) => e.type === 'security' && e.event === 'integrity_failure');
      assert.equal(alarm?.ids, [victim]);
      assert.ok(alarm, 'an integrity_failure security event is in the outbox');
      const linkRows = await ctx.db.driver.query(table(ctx, 'audit_links'), { orderBy: [{ field: 'seq', direction: 'asc' }] }, {});
      assert.is(linkRows.filter((l) => l.id === victim).length, 1, 'the row keeps its one link');
      const report = await verifyAuditTrail(reader, await reader.checkpoints());
      assert.equal([report.problem?.kind, report.problem?.seq], ['modified', 3], JSON.stringify(report.problem));
    } finally {
      await ctx.db.close();
    }
  });
  test.run();
}
