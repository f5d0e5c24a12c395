import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAuditTrail } from '@chatcore/audit';
import { openDb } from './helpers/fixtures.js';

// With the outbox as the only sink, failures, validation rejections,
// rollbacks and security events are in the outbox (autocommitted), and the
// chain verifies.

let dir: string | undefined;
test.before(async () => { dir = await mkdtemp(join(tmpdir(), 'audit-outbox-failures-')); });
test.after(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

for (const backend of ['memory', 'pglite'] as const) {
  test(`${backend}: failed calls, rejected input, rollbacks and security events reach the outbox`, async () => {
    const { db, plugin } = await openDb(backend, { sinks: { outbox: true }, recordRollbacks: true }, backend === 'pglite' ? { dataDir: join(dir!, 'pg') } : {});
    try {
      await db.users.create({ name: 'a', email: 'a@x.io' } as never);
      // A unique violation outside a transaction, and one inside a transaction that rolls back.
      await db.users.create({ name: 'b', email: 'a@x.io' } as never).catch(() => undefined);
      await db.transaction(async (tx) => {
        await tx.users.create({ name: 'c', email: 'c@x.io' } as never);
        await tx.users.create({ name: 'd', email: 'a@x.io' } as never).catch(() => undefined);
        throw new Error('roll back');
      }).catch(() => undefined);
      await db.users.create({ name: 'e', nope: 1 } as never).catch(() => undefined);
      // A security event raised inside a transaction's callback (as an integrity failure on a read is), and one outside.
      await db.transaction(async (tx) => {
        db.reportSecurityEvent({ type: 'access_denied', message: 'inside', actor: 'user:in' });
        await tx.users.count({} as never);
      });
      db.reportSecurityEvent({ type: 'access_denied', message: 'outside', actor: 'user:out' });
      await plugin.flush();
      const reader = plugin.outboxReader();
      const events = (await reader.rows()).map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event) as Record<string, unknown>);
      const failed = events.filter((e) => e.type === 'operation' && e.outcome === 'error');
      assert.is(failed.filter((e) => !e.stage).length, 2, `two failed creates: ${JSON.stringify(failed)}`);
      assert.is(failed.filter((e) => e.stage === 'validation').length, 1, 'the rejected input');
      const rollbacks = events.filter((e) => e.type === 'rollback');
      assert.is(rollbacks.length, 1, 'the rolled-back transaction');
      assert.is(events.filter((e) => e.type === 'operation' && e.outcome === 'ok').length, 1, 'only the committed write as a write');
      assert.equal(events.filter((e) => e.type === 'security').map((e) => e.message).sort(), ['inside', 'outside'], 'both security events');
      assert.is(await reader.pending(), 0);
      const report = await verifyAuditTrail(reader, await reader.checkpoints());
      assert.ok(report.ok, JSON.stringify(report.problem));
    } finally {
      await db.close();
    }
  });
}

test.run();
