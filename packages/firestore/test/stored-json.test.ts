import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, IntegrityError } from '@chatcore/core';
import { useFirestoreEmulator } from '../src/testing/index.js';
import { suffix, testDriver } from './helpers/emulator.js';

// Firestore keeps a json field as JSON text. Text changed outside chatcore so that it no longer parses is a typed
// IntegrityError naming the repository, field and document (never the text), not a bare SyntaxError.

const emulator = await useFirestoreEmulator();
const table = `json_${suffix()}`;
const notes = defineRepository('notes', { id: f.id(), title: f.string(), meta: f.json<{ tag: string }>().optional() }, { table });
const driver = testDriver(emulator);
const db = createDatabase({ driver, repositories: { notes } });
await db.connect();

test('a json value that no longer parses: get, find and findOne raise IntegrityError; other documents still read', async () => {
  const bad = await db.notes.create({ title: 'a', meta: { tag: 'x' } });
  const good = await db.notes.create({ title: 'b', meta: { tag: 'y' } });
  for (const text of ['{"tag":', 'secret-ish text']) {
    await driver.firestore.collection(table).doc(bad.id).update({ meta: text });
    for (const [what, read] of [['get', () => db.notes.get(bad.id)], ['find', () => db.notes.find({ orderBy: { title: 'asc' } })], ['findOne', () => db.notes.findOne({ where: { title: 'a' } })]] as const) {
      const err = await read().then(() => undefined, (e: unknown) => e);
      assert.instance(err, IntegrityError, `${what} with ${JSON.stringify(text)}: ${String(err)}`);
      const e = err as IntegrityError;
      assert.match(e.message, `The stored value of notes.meta in document ${bad.id} of ${table} is not JSON`);
      assert.not.match(e.message, 'secret-ish');
      assert.equal([e.info.repository, e.info.field, e.info.id, e.info.reason], ['notes', 'meta', bad.id, 'not-json']);
    }
  }
  assert.equal((await db.notes.get(good.id))!.meta, { tag: 'y' });
});

test.after(async () => {
  await db.close();
  await emulator.stop();
});
test.run();
