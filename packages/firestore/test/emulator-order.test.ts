import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FieldPath, Firestore, Query } from '@google-cloud/firestore';
import { createDatabase, defineRepository, f, UnsupportedQueryError } from '@chatcore/core';
import { useFirestoreEmulator } from '../src/testing/index.js';
import { mapError } from '../src/error-map.js';
import { testDriver, suffix } from './helpers/emulator.js';

// The emulator has no descending scan of document ids: a query ordered by id
// descending first, with no equality on another field, is refused by it.
const emulator = await useFirestoreEmulator();
const items = defineRepository('items', { id: f.id(), k: f.integer(), g: f.string() }, { table: `desc_${suffix()}` });
const db = createDatabase({ driver: testDriver(emulator), repositories: { items } });
await db.connect();
await db.items.createMany([{ id: 'a', k: 0, g: 'x' }, { id: 'b', k: 1, g: 'x' }, { id: 'c', k: 0, g: 'y' }, { id: 'd', k: 1, g: 'y' }]);

let sent = 0;
const originalGet = Query.prototype.get;
Query.prototype.get = function (this: Query) {
  sent++;
  return originalGet.call(this);
};

async function refusedBeforeSending(run: () => Promise<unknown>, label: string): Promise<void> {
  const before = sent;
  try {
    await run();
    assert.unreachable(`expected UnsupportedQueryError for ${label}`);
  } catch (e) {
    assert.instance(e, UnsupportedQueryError, label);
    assert.is((e as UnsupportedQueryError).info.limit, 'descendingIdScan', label);
    assert.match((e as Error).message, /emulator does not support descending document-id scans/, label);
    assert.match((e as Error).message, /Fix: order by another field first/, label);
  }
  assert.is(sent, before, `nothing was sent for ${label}`);
}

test('orderBy id desc first is refused with UnsupportedQueryError before sending (find, findPage, with an id range)', async () => {
  await refusedBeforeSending(() => db.items.find({ orderBy: { id: 'desc' } }), 'find');
  await refusedBeforeSending(() => db.items.findPage({ orderBy: { id: 'desc' }, limit: 2 }), 'findPage');
  await refusedBeforeSending(() => db.items.find({ where: { id: { gt: 'a' } }, orderBy: { id: 'desc' } }), 'find with id gt');
  await refusedBeforeSending(() => db.items.find({ where: { id: { ne: 'b' } }, orderBy: { id: 'desc' } }), 'find with id ne');
});

test('orderBy id desc after another key, or next to an equality on another field, is served', async () => {
  assert.equal((await db.items.find({ orderBy: { k: 'asc', id: 'desc' } })).map((r) => r.id), ['c', 'a', 'd', 'b']);
  assert.equal((await db.items.find({ where: { g: 'x' }, orderBy: { id: 'desc' } })).map((r) => r.id), ['b', 'a']);
  const page = await db.items.findPage({ where: { g: 'y' }, orderBy: { id: 'desc' }, limit: 1 });
  assert.equal(page.items.map((r) => r.id), ['d']);
});

test("the emulator's own refusal of a descending id scan maps to UnsupportedQueryError", async () => {
  const sdk = new Firestore({ projectId: `chatcore-test-${suffix()}`, host: emulator.host, ssl: false });
  try {
    await sdk.collection('c').orderBy(FieldPath.documentId(), 'desc').get();
    assert.unreachable('the emulator served a descending id scan: this refusal may be gone');
  } catch (e) {
    const mapped = mapError(e, 'c.query');
    assert.instance(mapped, UnsupportedQueryError);
    assert.is((mapped as UnsupportedQueryError).info.limit, 'descendingIdScan');
    assert.match(mapped.message, /Firestore cannot run c\.query: it is ordered by id descending first/);
    assert.is((mapped as UnsupportedQueryError).cause, e);
  } finally {
    await sdk.terminate();
  }
});

test.after(async () => {
  Query.prototype.get = originalGet;
  await db.items.deleteMany({});
  await db.close();
  await emulator.stop();
});
test.run();
