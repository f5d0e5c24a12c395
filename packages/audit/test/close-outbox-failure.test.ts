import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase } from '@chatcore/core';
import { pglite } from '@chatcore/pglite';
import { audit, verifyAuditTrail } from '@chatcore/audit';
import { outboxTables, repositories } from './helpers/fixtures.js';

// With the file sink and the outbox, a failed outbox chaining at close (its
// tables missing: a database never migrated) must not leave the file stream
// unfinished: stream_closed and the final checkpoint are written, and the
// chaining error still reaches db.close().

test('pglite without the outbox tables: close() ends the file stream and still reports the chaining error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'audit-close-outbox-'));
  const warnings: string[] = [];
  const onWarning = (w: Error & { code?: string }) => warnings.push(`${w.code}: ${w.message}`);
  process.on('warning', onWarning);
  try {
    const file = join(dir, 'audit.log');
    const checkpoints = join(dir, 'audit.checkpoints');
    const plugin = audit({ sinks: { file: { path: file }, outbox: outboxTables('nomigr') }, checkpoints: { file: checkpoints, every: 5 } });
    const db = createDatabase({ driver: pglite(), repositories: repositories(), plugins: [plugin], allowPlaintextSensitive: true, schemaMode: 'off' });
    await db.connect();
    const closing = await db.close().then(() => undefined, (e: unknown) => e);
    assert.instance(closing, Error, 'the chaining error reaches db.close()');
    assert.match((closing as Error).message, /audit_events_nomigr/);

    const events = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(events.map((e) => e.action), ['stream_started', 'stream_closed']);
    const cps = (await readFile(checkpoints, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(cps.map((c) => [c.stream, c.seq]), [[plugin.stream, 2]], 'the final checkpoint');
    const report = await verifyAuditTrail(file, checkpoints);
    assert.ok(report.ok, JSON.stringify(report.problem));
    assert.equal(report.warnings, []);
    assert.ok(warnings.some((w) => w.startsWith('CHATCORE_AUDIT_CHAIN')), `the failure at connect is a warning: ${warnings.join('\n')}`);
  } finally {
    process.off('warning', onWarning);
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
