import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, type Plugin } from '@chatcore/core';
import { firestore } from '@chatcore/firestore';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { audit } from '@chatcore/audit';
import { encryption } from '@chatcore/encryption';
import { metrics } from '../src/index.js';
import { histogram, quietStream, scrape, value } from './helpers/fixtures.js';

// An encrypted updateMany runs in an implicit transaction; past Firestore's
// request limit (4 MiB on the emulator) the backend refuses it whole and
// core runs the write again without it. The caller made one call: metrics
// count one, and audit writes one performance event, timed from the call.
const emulator = await useFirestoreEmulator();
const BIG = 'x'.repeat(400_000); // about 0.5 MB once encrypted: 12 records pass the emulator's request limit
const ids = Array.from({ length: 12 }, (_, i) => `r${String(i).padStart(2, '0')}`);
const notes = defineRepository('notes', { id: f.id(), tag: f.string(), secret: f.text().optional().sensitive(), version: f.version() }, { table: 'metrics_rerun_notes' });
const PAUSE_MS = 300;

/** Waits PAUSE_MS in the implicit transaction's run of updateMany: a sample that leaves out that run is shorter. */
const pauseInTransaction: Plugin = {
  name: 'pause-in-transaction',
  async around(op, ctx, next) {
    if (ctx.method === 'updateMany' && ctx.transaction?.implicit) await new Promise((r) => setTimeout(r, PAUSE_MS));
    return next(op);
  },
};

test('an updateMany core runs again after a size refusal is one call: one sample, one performance event', async () => {
  const stream = quietStream();
  const m = metrics();
  const auditor = audit({ sinks: { console: { stream } }, slowQueryThreshold: 0 });
  const db = createDatabase({
    driver: firestore({ projectId: `chatcore-metrics-${randomBytes(4).toString('hex')}`, emulatorHost: emulator.host }),
    repositories: { notes },
    plugins: [m, auditor, pauseInTransaction, encryption({ keys: [{ id: 'k1', key: randomBytes(32).toString('base64') }] })],
  });
  await db.connect();
  try {
    await db.notes.createMany(ids.map((id) => ({ id, tag: 't', secret: 'small' })));
    assert.is(await db.notes.updateMany({ tag: 't' }, { secret: BIG }), ids.length);
    await auditor.flush();

    const { families, samples } = await scrape(m.registry);
    const labels = { repository: 'notes', operation: 'updateMany' };
    assert.is(value(families, 'chatcore_operations_total', { ...labels, outcome: 'ok' }), 1);
    const failed = families.filter((x) => x.name === 'chatcore_operations_total').flatMap((x) => x.metrics).filter((s) => s.labels?.operation === 'updateMany' && s.labels.outcome !== 'ok');
    assert.equal(failed, [], 'no other outcome counted');
    const h = histogram(samples, 'chatcore_operation_duration_seconds', { ...labels, outcome: 'ok' })!;
    assert.is(h.count, 1);
    assert.ok(h.sum >= PAUSE_MS / 1000, `the sample covers the refused run too (${h.sum} s)`);
    assert.is(value(families, 'chatcore_operations_in_flight', labels), 0);

    const events = stream.text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
    const slow = events.filter((e) => e.type === 'performance' && e.method === 'updateMany');
    assert.is(slow.length, 1, 'one performance event');
    assert.ok((slow[0]!.durationMs as number) >= PAUSE_MS, `timed from the call's start (${String(slow[0]!.durationMs)} ms)`);
    assert.equal(events.filter((e) => e.type === 'operation' && e.method === 'updateMany').map((e) => e.outcome), ['ok']);
  } finally {
    await db.close();
  }
});

test.run();
