import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, MigrationError, SchemaDriftError } from '@chatcore/core';
import { sqlDriver } from '@chatcore/sql';
import { defaultTemplateCache, PgliteExecutor, startInMemory } from '@chatcore/pglite';
import { defineMigration, migrate, migrationStatus } from '../src/index.js';

const client = await startInMemory(defaultTemplateCache());
const driver = () => sqlDriver({ name: 'pglite', executor: new PgliteExecutor({ client }) });
const columns = async (table: string) => {
  const t = (await driver().migrations.describe([table])).get(table);
  return t ? Object.fromEntries([...t.columns].map(([k, v]) => [k, `${v.type}${v.nullable ? '' : ' not null'}`])) : undefined;
};

const notesV1 = defineRepository('notes', { id: f.id(), title: f.string(), body: f.text() });
const notesV2 = defineRepository('notes', { id: f.id(), subject: f.string(), body: f.text() });
const renameTitle = defineMigration({ id: 'n001_subject', up: (m) => m.renameField('notes', 'title', 'subject') });

test('migrate applies a pending migration, then is a no-op; status says so', async () => {
  const v1 = createDatabase({ driver: driver(), repositories: { notes: notesV1 } });
  await v1.connect();
  const a = await v1.notes.create({ title: 'Hello', body: 'first' });
  await v1.close();

  const db = createDatabase({ driver: driver(), repositories: { notes: notesV2 }, schemaMode: 'verify' });
  assert.equal((await migrationStatus(db, { migrations: [renameTitle] })).map((s) => s.state), ['pending']);
  const first = await migrate(db, { migrations: [renameTitle] });
  assert.equal(first.applied, ['n001_subject']);
  assert.ok(first.statements.includes('rename column notes.title to subject'));
  assert.equal(await db.notes.get(a.id), { id: a.id, subject: 'Hello', body: 'first' });
  const again = await migrate(db, { migrations: [renameTitle] });
  assert.equal(again, { applied: [], resumed: [], edited: [], statements: [] });
  assert.equal((await migrationStatus(db, { migrations: [renameTitle] })).map((s) => s.state), ['applied']);
  await db.close();
});

test('an applied migration edited afterwards is refused by checksum, and nothing changes', async () => {
  const edited = defineMigration({ id: 'n001_subject', up: (m) => { m.renameField('notes', 'title', 'subject'); m.dropField('notes', 'body'); } });
  const db = createDatabase({ driver: driver(), repositories: { notes: notesV2 }, schemaMode: 'verify' });
  const before = await columns('notes');
  const err = await migrate(db, { migrations: [edited] }).catch((e: unknown) => e);
  assert.instance(err, MigrationError);
  assert.is((err as MigrationError).info.id, 'n001_subject');
  assert.match((err as Error).message, /Never edit an applied migration/);
  assert.equal(await columns('notes'), before);
  assert.equal((await migrationStatus(db, { migrations: [edited] })).map((s) => s.state), ['modified']);
  await db.close();
});

const codesV1 = defineRepository('codes', { id: f.id(), code: f.string(), name: f.string() });
const codesV2 = defineRepository('codes', { id: f.id(), code: f.string().unique(), label: f.string() });

test('a migration whose DDL fails leaves the schema exactly as before', async () => {
  const v1 = createDatabase({ driver: driver(), repositories: { codes: codesV1 } });
  await v1.connect();
  await v1.codes.createMany([{ code: 'A', name: 'one' }, { code: 'A', name: 'two' }]);
  await v1.close();
  const before = await columns('codes');
  const indexesBefore = (await driver().migrations.describe(['codes'])).get('codes')!.indexes;
  const m = defineMigration({ id: 'c001_unique_code', up: (s) => { s.renameField('codes', 'name', 'label'); s.addUnique('codes', ['code']); } });
  const db = createDatabase({ driver: driver(), repositories: { codes: codesV2 }, schemaMode: 'verify' });
  const err = await migrate(db, { migrations: [m] }).catch((e: unknown) => e);
  assert.instance(err, MigrationError);
  assert.instance((err as Error).cause, SchemaDriftError);
  assert.is((err as MigrationError).info.id, 'c001_unique_code');
  assert.match((err as Error).message, /repeat a value/);
  assert.equal(await columns('codes'), before, 'the rename was rolled back with the failed index');
  assert.equal((await driver().migrations.describe(['codes'])).get('codes')!.indexes, indexesBefore);
  await db.close();
});

test('a step naming an unknown repository or field raises MigrationError and changes nothing', async () => {
  const db = createDatabase({ driver: driver(), repositories: { notes: notesV2 }, schemaMode: 'off' });
  const before = await columns('notes');
  for (const [up, pattern] of [
    [(m) => m.renameField('nope', 'a', 'b'), /no repository is named nope/],
    [(m) => m.renameField('notes', 'subject', 'missing'), /declares no field missing/],
    [(m) => m.dropField('notes', 'subject'), /still declares subject/],
    [(m) => m.addIndex('notes', ['body']), /declares no index over body/],
  ] as const) {
    const err = await migrate(db, { migrations: [defineMigration({ id: 'x001_bad', up })] }).catch((e: unknown) => e);
    assert.instance(err, MigrationError);
    assert.match((err as Error).message, pattern);
  }
  assert.equal(await columns('notes'), before);
  assert.throws(() => defineMigration({ id: 'bad id!', up: () => undefined }), (e: unknown) => e instanceof MigrationError);
  await db.close();
});

const folksV1 = defineRepository('folks', { id: f.id(), nick: f.string().indexed(), email: f.string().unique() });
const peopleV2 = defineRepository('people', { id: f.id(), nick: f.string(), email: f.string().unique() });

test('renameRepository keeps rows, the primary key and unique keys; dropIndex removes the index', async () => {
  const v1 = createDatabase({ driver: driver(), repositories: { folks: folksV1 } });
  await v1.connect();
  const ada = await v1.folks.create({ nick: 'ada', email: 'ada@example.com' });
  await v1.close();
  const m = defineMigration({ id: 'p001_people', up: (s) => { s.renameRepository('folks', 'people'); s.dropIndex('people', ['nick']); } });
  const db = createDatabase({ driver: driver(), repositories: { people: peopleV2 }, schemaMode: 'verify' });
  await migrate(db, { migrations: [m] });
  assert.equal(await db.people.get(ada.id), { id: ada.id, nick: 'ada', email: 'ada@example.com' });
  assert.is(await columns('folks'), undefined);
  const indexes = [...(await driver().migrations.describe(['people'])).get('people')!.indexes].sort();
  assert.equal(indexes, ['people_email_key', 'people_pkey']);
  const dup = await db.people.create({ nick: 'x', email: 'ada@example.com' }).catch((e: unknown) => e);
  assert.is((dup as { code?: string }).code, 'UNIQUE_VIOLATION');
  await db.close();
});

test.after(() => client.close());
test.run();
