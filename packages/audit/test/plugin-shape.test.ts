import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AuditStats } from '@chatcore/audit';
import { CapturedSink, openDb } from './helpers/fixtures.js';

// The shape every chatcore plugin shares (docs/architecture.md, "Plugins").
test('stats() is a plain JSON snapshot, new on every call, and health() reports the same counters under the plugin name', async () => {
  const sink = new CapturedSink();
  const { db, plugin: auditor } = await openDb('memory', { sinks: { console: { stream: sink.stream } } });
  await db.users.create({ name: 'a', email: 'a@x.io' } as never);
  await auditor.flush();
  const before: AuditStats = auditor.stats();
  assert.equal(JSON.parse(JSON.stringify(before)), before);
  assert.equal(Object.keys(before).sort(), ['dropped', 'queued', 'sealed', 'stream']);
  await db.users.create({ name: 'b', email: 'b@x.io' } as never);
  await auditor.flush();
  const after = auditor.stats();
  assert.ok(after.sealed > before.sealed, 'an earlier snapshot does not change');
  const [health] = await auditor.health!();
  assert.equal(health, { name: auditor.name, status: 'up', details: { ...after } });
  await db.close();
  await auditor.close!();
});

test.run();
