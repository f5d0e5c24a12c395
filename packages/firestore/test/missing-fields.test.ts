import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import type { RepositorySchema } from '@chatcore/core/driver';
import { useFirestoreEmulator } from '../src/testing/index.js';
import { suffix, testDriver } from './helpers/emulator.js';
import { schemaRefusal, storedDocuments } from './helpers/schema-drift.js';

// A field added to a repository after documents were written: those documents lack it, and Firestore leaves them out
// of a null test and of an order by it (SQL adds the column to every row). `ensureSchema` with `thorough` (what
// `chatcore schema plan|verify` run) names it; connect does not count.

const emulator = await useFirestoreEmulator();
const driver = testDriver(emulator);

/** `items` with a title, and later with an optional `tag` and a required `rank` too. */
function versions(): { table: string; before: RepositorySchema; after: RepositorySchema } {
  const table = `missing_${suffix()}`;
  const before = defineRepository('items', { id: f.id(), title: f.string() }, { table }).schema;
  const after = defineRepository('items', { id: f.id(), title: f.string(), tag: f.string().optional().indexed(), rank: f.integer() }, { table }).schema;
  return { table, before, after };
}


test('the failure it prevents: documents written before a field was declared are left out of a null test and an order by it', async () => {
  const { table, before, after } = versions();
  await driver.insert(before, [{ id: 'a', title: 'x' }, { id: 'b', title: 'y' }], {});
  const db = createDatabase({ driver: testDriver(emulator, { projectId: driver.toJSON().projectId }), repositories: { items: defineRepository('items', { id: f.id(), title: f.string(), tag: f.string().optional().indexed(), rank: f.integer() }, { table }) } });
  await db.connect(); // connect does not count: it accepts, as it did
  await db.items.create({ title: 'z', tag: null, rank: 1 });
  assert.is(await db.items.count(), 3);
  assert.is(await db.items.count({ tag: null }), 1, 'Firestore matches only the document that holds the null');
  assert.is((await db.items.find({ orderBy: { tag: 'asc' } })).length, 1);
  await db.close();
  const err = await schemaRefusal(driver.ensureSchema([after], { mode: 'verify', thorough: true }));
  assert.equal(err.info.differences, [
    `${table}.tag (items.tag) is missing from 2 of 3 existing documents (written before it was declared), so a null test or an order by tag leaves them out; add it with a migration (chatcore migrate create plans the addField that stores it)`,
    `${table}.rank (items.rank) is missing from 2 of 3 existing documents (written before it was declared), so a null test or an order by rank leaves them out; add it with a migration (chatcore migrate create plans the addField that stores it)`,
  ]);
});

test('thorough refuses in both modes, naming each field and how many documents lack it, and writes nothing; without thorough nothing is counted', async () => {
  const { table, before, after } = versions();
  await driver.insert(before, [{ id: 'a', title: 'x' }], {});
  await driver.insert(after, [{ id: 'b', title: 'y', tag: 't', rank: 2 }], {});
  const stored = await storedDocuments(driver, table);
  for (const mode of ['apply', 'verify'] as const) {
    const err = await schemaRefusal(driver.ensureSchema([after], { mode, thorough: true }));
    assert.equal(err.info.destructive, err.info.differences);
    assert.equal(err.info.additive, []);
    assert.is(err.info.differences.length, 2);
    assert.match(err.message, `${table}.tag (items.tag) is missing from 1 of 2 existing documents`);
    assert.ok((err.info.notes as string[]).some((n) => n.includes('composite index')), 'the report still comes with the refusal');
    assert.equal((await driver.ensureSchema([after], { mode })).applied, [], 'connect-time check: accepted');
  }
  assert.equal(await storedDocuments(driver, table), stored);
});

test('accepted once every document holds every field (nulls count as held), and for an empty collection', async () => {
  const { table, before } = versions();
  const after = defineRepository('items', { id: f.id(), title: f.string(), tag: f.string().optional().indexed() }, { table }).schema;
  const empty = versions();
  await driver.insert(before, [{ id: 'a', title: 'x' }], {});
  await driver.insert(after, [{ id: 'b', title: 'y', tag: null }], {});
  await schemaRefusal(driver.ensureSchema([after, empty.after], { mode: 'verify', thorough: true }));
  // A migration's schema step stores the field (null) on the documents that lack it.
  await driver.migrations.applySchemaChanges([], [after]);
  assert.equal((await storedDocuments(driver, table)).a, { title: 'x', tag: null });
  assert.equal((await driver.ensureSchema([after, empty.after], { mode: 'verify', thorough: true })).applied, []);
});

test.after(() => driver.close());
test.run();
