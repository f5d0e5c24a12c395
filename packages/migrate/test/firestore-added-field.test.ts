import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, MigrationError } from '@chatcore/core';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { defineMigration, migrate, planMigration } from '../src/index.js';
import { freshProject, fsDriver } from './helpers/fs-database.js';

// A field added to a repository after documents were written: on Firestore those documents lack it (SQL adds the
// column to every row). `migrate create` proposes the addField that stores it on them, as for a field no document holds.

await useFirestoreEmulator();

const V1 = defineRepository('items', { id: f.id(), title: f.string() });
const V2 = defineRepository('items', { id: f.id(), title: f.string(), tag: f.string().optional().indexed(), rank: f.integer().indexed() });

test('the plan stores a field that some documents lack; after it, null tests and orders see every document', async () => {
  const project = freshProject();
  const db1 = createDatabase({ driver: fsDriver(project), repositories: { items: V1 } });
  await db1.connect();
  await db1.items.createMany([{ title: 'a' }, { title: 'b' }]);
  await db1.close();
  const db = createDatabase({ driver: fsDriver(project), repositories: { items: V2 } });
  await db.connect();
  await db.items.create({ title: 'c', tag: null, rank: 7 });
  try {
    const plan = await planMigration(db);
    assert.equal(plan.changes.map((c) => [c.kind, c.field]), [['addField', 'tag'], ['addField', 'rank'], ['addField', 'rank']]);
    assert.match(plan.source, "m.addField('items', 'tag'); // 2 stored record(s) lack it");
    assert.match(plan.source, "m.addField('items', 'rank'); // 2 stored record(s) lack it");
    // A required field: the backfill fills only the records that lack a value, and its value is the author's to give.
    assert.match(plan.source, "m.backfill('items', { batchSize: 500 }, (row) => (row.rank == null ? { rank: undefined /* TODO: the value of rank for existing rows */ } : undefined));");
    assert.not.match(plan.source, "'title'");
    // As planned, with the TODO answered.
    await migrate(db, { migrations: [defineMigration({ id: '001_tag_rank', up(m) {
      m.addField('items', 'tag');
      m.addField('items', 'rank');
      m.backfill<typeof V2>('items', { batchSize: 500 }, (row) => (row.rank == null ? { rank: 0 } : undefined));
    } })] });
    assert.is(await db.items.count({ tag: null }), 3);
    const ordered = await db.items.find({ orderBy: { rank: 'desc' } });
    assert.equal(ordered.map((r) => r.rank), [7, 0, 0]);
    assert.equal(ordered.map((r) => r.title).sort(), ['a', 'b', 'c']);
    const again = await planMigration(db);
    assert.equal(again.changes, []);
  } finally {
    await db.close();
  }
});

test('the backfill is required: a required field that documents lack cannot be stored as null', async () => {
  const project = freshProject();
  const db1 = createDatabase({ driver: fsDriver(project), repositories: { items: V1 } });
  await db1.connect();
  await db1.items.create({ title: 'a' });
  await db1.close();
  const db = createDatabase({ driver: fsDriver(project), repositories: { items: V2 } });
  await db.connect();
  await db.items.create({ title: 'b', tag: 'x', rank: 1 });
  try {
    const err = await migrate(db, { migrations: [defineMigration({ id: '001_rank', up(m) { m.addField('items', 'rank'); } })] }).then(() => undefined, (e: unknown) => e);
    assert.instance(err, MigrationError);
    assert.is(await db.items.count({ rank: 1 }), 1, 'nothing changed');
    assert.is((await db.items.find({ orderBy: { rank: 'asc' } })).length, 1);
  } finally {
    await db.close();
  }
});

test.run();
