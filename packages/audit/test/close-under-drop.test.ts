import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAuditTrail } from '@chatcore/audit';
import { openDb } from './helpers/fixtures.js';

// Under overflow 'drop', close() still ends the stream with stream_closed,
// after an events_dropped notice for every drop, so a clean shutdown does
// not look like a crash.

test('a burst right before close(): every drop is reported and stream_closed is the last event', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'audit-close-drop-'));
  try {
    const file = join(dir, 'audit.log');
    const { db, plugin } = await openDb('memory', { sinks: { file }, queue: { capacity: 50, overflow: 'drop' } });
    const u = await db.users.create({ name: 'a', email: 'a@x.io' } as never) as { id: string };
    await plugin.flush();
    await Promise.all(Array.from({ length: 500 }, () => db.users.get(u.id)));
    await db.close();
    const dropped = plugin.stats().dropped;
    assert.ok(dropped > 0, 'the burst overflowed the queue');
    const events = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const last = events[events.length - 1]!;
    assert.is(last.action, 'stream_closed', `last event: ${JSON.stringify(last)}`);
    assert.is(last.dropped, dropped);
    assert.is(last.sealed, last.seq);
    const notices = events.filter((e) => e.event === 'events_dropped');
    assert.is(notices.reduce((n, e) => n + ((e.details as { count: number }).count), 0), dropped, 'every drop is in a notice');
    const report = await verifyAuditTrail(file);
    assert.ok(report.ok, JSON.stringify(report.problem));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
