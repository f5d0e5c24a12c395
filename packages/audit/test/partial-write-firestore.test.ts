import { randomBytes, randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, PartialWriteError } from '@chatcore/core';
import { firestore } from '@chatcore/firestore';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { audit } from '@chatcore/audit';
import { CapturedSink } from './helpers/fixtures.js';

const emulator = await useFirestoreEmulator();
test.after(() => emulator.stop());

const notes = defineRepository('notes', { id: f.id(), tag: f.string().indexed(), body: f.text() });

test('a split createMany that fails part way is one error event naming the records it committed', async () => {
  const sink = new CapturedSink();
  const plugin = audit({ sinks: { console: { stream: sink.stream } } });
  const db = createDatabase({
    driver: firestore({ projectId: `audit-${randomBytes(4).toString('hex')}`, emulatorHost: emulator.host, maxBatchOps: 2 }),
    repositories: { notes },
    plugins: [plugin],
  });
  await db.connect();
  try {
    const existing = await db.notes.create({ tag: 'other', body: 'e' });
    const rows = [0, 1, 2].map((i) => ({ id: randomUUID(), tag: 'x', body: `b${i}` }));
    // Batches of 2: rows 0 and 1 commit, the second batch fails on the existing id.
    const error = await db.notes.createMany([...rows, { id: existing.id, tag: 'x', body: 'dup' }]).catch((e: unknown) => e);
    assert.instance(error, PartialWriteError);
    const written = [...(error as PartialWriteError).writtenIds].sort();
    assert.equal(written, [rows[0]!.id, rows[1]!.id].sort());
    assert.equal((await db.notes.find({ where: { tag: 'x' } })).map((n) => n.id).sort(), written, 'those two are in the database');
    await plugin.flush();
    const events = sink.operations().filter((e) => e.method === 'createMany');
    assert.is(events.length, 1, 'one event for the call');
    const [event] = events;
    assert.is(event!.outcome, 'error');
    assert.is((event!.error as { code: string }).code, 'PARTIAL_WRITE');
    assert.equal([...(event!.ids as string[])].sort(), written, 'the ids it committed, not the ones it only named');
    assert.is(event!.count, 2);
  } finally {
    await db.close();
  }
});

test.run();
