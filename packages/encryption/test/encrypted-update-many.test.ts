import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, UniqueViolationError, ValidationError } from '@chatcore/core';
import { encryption } from '../src/index.js';
import { everyBackend, suffix } from './helpers/every-backend.js';
import { KEY_A } from './helpers/keys.js';

// An encrypted repository updates record by record (row authenticators,
// encrypted values); an updateMany refused at its second record must leave
// the first unchanged too, as a plain updateMany does.
function repos(s: string) {
  const notes = defineRepository('notes', {
    id: f.id(),
    tag: f.string(),
    handle: f.string().optional().unique(),
    secret: f.text().optional().sensitive(),
    bounded: f.integer({ min: 0, max: 100 }).default(0),
    version: f.version(),
  }, { table: `encmany_notes_${s}` });
  const letters = defineRepository('letters', {
    id: f.id(),
    tag: f.string(),
    body: f.text().optional(),
    bounded: f.integer({ min: 0, max: 100 }).default(0),
    version: f.version(),
  }, { table: `encmany_letters_${s}`, plugins: { encryption: { seal: true, clear: ['tag'] } } });
  return { notes, letters };
}

async function refused(run: () => Promise<unknown>, type: new (...args: never[]) => Error): Promise<void> {
  try {
    await run();
  } catch (error) {
    assert.instance(error, type);
    return;
  }
  assert.unreachable('the updateMany was accepted');
}

for (const backend of await everyBackend()) {
  test(`${backend.name}: an encrypted updateMany refused midway changes no record`, async () => {
    const db = createDatabase({ driver: backend.driver(), repositories: repos(suffix()), plugins: [encryption({ keys: [{ id: 'k1', key: KEY_A }] })] });
    await db.connect();
    try {
      await db.notes.createMany([{ id: 'a', tag: 't', bounded: 10, secret: 's-a' }, { id: 'b', tag: 't', bounded: 95, secret: 's-b' }]);
      await db.letters.createMany([{ id: 'a', tag: 't', bounded: 10, body: 'l-a' }, { id: 'b', tag: 't', bounded: 95, body: 'l-b' }]);
      const notes = await db.notes.find({ orderBy: { id: 'asc' } });
      const letters = await db.letters.find({ orderBy: { id: 'asc' } });

      // A patch of clear fields only (each record still rewritten for its authenticator).
      await refused(() => db.notes.updateMany({ tag: 't' }, { bounded: { increment: 10 } }), ValidationError);
      // Unique values: the second record cannot take the handle the first just took.
      await refused(() => db.notes.updateMany({ tag: 't' }, { handle: 'same', secret: 'changed' }), UniqueViolationError);
      // An increment of a sealed field, checked by the plugin.
      await refused(() => db.letters.updateMany({ tag: 't' }, { bounded: { increment: 10 }, body: 'changed' }), ValidationError);
      assert.equal(await db.notes.find({ orderBy: { id: 'asc' } }), notes);
      assert.equal(await db.letters.find({ orderBy: { id: 'asc' } }), letters);

      // Within bounds, every record is updated.
      assert.is(await db.notes.updateMany({ tag: 't' }, { bounded: { increment: 5 }, secret: 'both' }), 2);
      assert.equal((await db.notes.find({ orderBy: { id: 'asc' } })).map((n) => [n.bounded, n.secret, n.version]), [[15, 'both', 2], [100, 'both', 2]]);
    } finally {
      await db.close();
    }
  });
}

test.run();
