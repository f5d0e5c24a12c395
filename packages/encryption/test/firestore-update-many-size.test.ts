import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, PartialWriteError, UnsupportedQueryError, ValidationError, type Plugin } from '@chatcore/core';
import { firestore } from '@chatcore/firestore';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { audit } from '@chatcore/audit';
import { encryption } from '../src/index.js';
import { KEY_A } from './helpers/keys.js';

// On Firestore the transaction around a record-by-record updateMany sends
// every write in one request (4 MiB on the emulator). Past that, the update
// still completes one record at a time, and a failure midway names what was
// committed, as the driver's own chunked updateMany does.
const emulator = await useFirestoreEmulator();
const BIG = 'x'.repeat(400_000); // about 0.5 MB once encrypted: 12 records pass the emulator's request limit
const ids = Array.from({ length: 12 }, (_, i) => `r${String(i).padStart(2, '0')}`);

function setup(plugins: Plugin[] = [], outer: Plugin[] = []) {
  const projectId = `chatcore-enc-${randomBytes(4).toString('hex')}`;
  const notes = defineRepository('notes', {
    id: f.id(),
    tag: f.string(),
    secret: f.text().optional().sensitive(),
    bounded: f.integer({ min: 0, max: 100 }).default(0),
    version: f.version(),
  }, { table: 'encsize_notes' });
  const open = (extra: Plugin[], first: Plugin[] = []) => createDatabase({
    driver: firestore({ projectId, emulatorHost: emulator.host }),
    repositories: { notes },
    plugins: [...first, encryption({ keys: [{ id: 'k1', key: KEY_A }] }), ...extra],
  });
  return { db: open(plugins, outer), other: open([]) };
}

test('an encrypted updateMany past the request limit updates every record (outside a transaction of the caller)', async () => {
  const { db } = setup();
  await db.connect();
  try {
    await db.notes.createMany(ids.map((id) => ({ id, tag: 't', secret: 'small' })));
    // In the caller's own transaction nothing is split: it is refused whole.
    let error: unknown;
    await db.transaction((tx) => tx.notes.updateMany({ tag: 't' }, { secret: BIG })).catch((e: unknown) => { error = e; });
    assert.instance(error, UnsupportedQueryError);
    assert.equal((await db.notes.find({ orderBy: { id: 'asc' } })).map((n) => n.secret), ids.map(() => 'small'));

    assert.is(await db.notes.updateMany({ tag: 't' }, { secret: BIG }), ids.length);
    const after = await db.notes.find({ orderBy: { id: 'asc' } });
    assert.equal(after.map((n) => [n.id, n.secret === BIG, n.version]), ids.map((id) => [id, true, 2]));
  } finally {
    await db.close();
  }
});

test('the audit trail shows one outcome for a large encrypted updateMany: the run without the refused transaction', async () => {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => { text += d.toString('utf8'); });
  // recordRollbacks records every rolled-back attempt: the refused one is not the call's outcome.
  const auditor = audit({ sinks: { console: { stream } }, recordRollbacks: true, slowQueryThreshold: 60_000 });
  const { db } = setup([], [auditor]);
  await db.connect();
  try {
    await db.notes.createMany(ids.map((id) => ({ id, tag: 't', secret: 'small' })));
    assert.is(await db.notes.updateMany({ tag: 't' }, { secret: BIG }), ids.length);
    await auditor.flush();
    const events = text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
    const updates = events.filter((e) => e.method === 'updateMany' || e.type === 'rollback');
    assert.equal(updates.map((e) => [e.type, e.method, e.outcome, e.count]), [['operation', 'updateMany', 'ok', ids.length]]);
    assert.equal(events.filter((e) => e.error !== undefined), [], 'no failure recorded');
    assert.is(auditor.stats().sealed, events.length);
  } finally {
    await db.close();
  }
});

test('a large encrypted updateMany that fails midway reports exactly the records it committed', async () => {
  // Between the refused transaction and the run without it, another writer moves a later record near its bound.
  let moved = false;
  const racer: Plugin = {
    name: 'racer',
    async afterRollback() {
      if (moved) return;
      moved = true;
      await other.notes.update('r08', { bounded: 95 });
    },
  };
  const { db, other } = setup([racer]);
  await db.connect();
  await other.connect();
  try {
    await db.notes.createMany(ids.map((id) => ({ id, tag: 't', secret: 'small', bounded: 10 })));
    let error: unknown;
    await db.notes.updateMany({ tag: 't' }, { secret: BIG, bounded: { increment: 10 } }).catch((e: unknown) => { error = e; });
    assert.ok(moved, 'the transaction was refused for its size');
    assert.instance(error, PartialWriteError);
    assert.instance((error as PartialWriteError).cause, ValidationError);
    const after = await db.notes.find({ orderBy: { id: 'asc' } });
    const changed = after.filter((n) => n.secret === BIG).map((n) => n.id);
    assert.equal([...(error as PartialWriteError).writtenIds], changed);
    assert.equal(changed, ids.slice(0, 8));
    assert.equal(after.filter((n) => n.secret !== BIG).map((n) => [n.secret, n.bounded]), [['small', 95], ['small', 10], ['small', 10], ['small', 10]]);
  } finally {
    await db.close();
    await other.close();
  }
});

test('an encrypted updateMany refused while its transaction runs changes nothing, large or small', async () => {
  const { db } = setup();
  await db.connect();
  try {
    await db.notes.createMany(ids.map((id) => ({ id, tag: 't', secret: 'small', bounded: id === 'r08' ? 95 : 10 })));
    const before = await db.notes.find({ orderBy: { id: 'asc' } });
    // Large or small, the refusal (r08 would pass its bound) comes before anything is sent.
    for (const secret of [BIG, 'changed']) {
      let error: unknown;
      await db.notes.updateMany({ tag: 't' }, { secret, bounded: { increment: 10 } }).catch((e: unknown) => { error = e; });
      assert.instance(error, ValidationError);
      assert.equal(await db.notes.find({ orderBy: { id: 'asc' } }), before);
    }
  } finally {
    await db.close();
  }
});

test.run();
