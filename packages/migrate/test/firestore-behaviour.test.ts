import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, MigrationError, SchemaDriftError, UniqueViolationError } from '@chatcore/core';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { defineMigration, migrate, migrationCheck } from '../src/index.js';
import { freshProject, fsDriver } from './helpers/fs-database.js';

await useFirestoreEmulator();

const accountsV1 = defineRepository('accounts', { id: f.id(), handle: f.string().unique(), nick: f.string().optional().unique(), n: f.integer() });
const accountsV2 = defineRepository('accounts', { id: f.id(), login: f.string().unique(), n: f.integer(), tier: f.string() });
const ROWS = 600; // more than one 500-write transaction

const renameAndDrop = defineMigration({
  id: 'a001_login',
  up(m) {
    m.renameField('accounts', 'handle', 'login');
    m.dropField('accounts', 'nick');
    m.addField('accounts', 'tier');
    m.backfill<typeof accountsV2>('accounts', { batchSize: 250 }, (row) => ({ tier: row.n % 2 ? 'odd' : 'even' }));
  },
});

async function seed(project: string): Promise<string[]> {
  const db = createDatabase({ driver: fsDriver(project), repositories: { accounts: accountsV1 } });
  await db.connect();
  const ids: string[] = [];
  for (let at = 0; at < ROWS; at += 300) {
    const made = await db.accounts.createMany(Array.from({ length: 300 }, (_, k) => ({ handle: `h${at + k}`, nick: (at + k) % 2 ? `n${at + k}` : null, n: at + k })));
    ids.push(...made.map((r) => r.id));
  }
  await db.close();
  return ids;
}

async function lockIds(project: string): Promise<string[]> {
  const driver = fsDriver(project);
  const snap = await driver.firestore.collection('accounts__unique').get();
  await driver.close();
  return snap.docs.map((d) => d.id);
}

test('verify mode names the pending migration; after migrate it is clean', async () => {
  const project = freshProject();
  await seed(project);
  const verify = () => createDatabase({ driver: fsDriver(project), repositories: { accounts: accountsV2 }, plugins: [migrationCheck({ migrations: [renameAndDrop] })], schemaMode: 'verify' });
  const before = verify();
  const err = await before.connect().catch((e: unknown) => e);
  assert.instance(err, SchemaDriftError);
  assert.match((err as Error).message, /migration a001_login is pending \(run migrate\)/);
  await before.close();
  const db = createDatabase({ driver: fsDriver(project), repositories: { accounts: accountsV2 }, schemaMode: 'off' });
  assert.equal((await migrate(db, { migrations: [renameAndDrop] })).applied, ['a001_login']);
  await db.close();
  const after = verify();
  await after.connect();
  await after.close();
});

test('renaming a unique field moves its lock documents; dropping one deletes them', async () => {
  const project = freshProject();
  const ids = await seed(project);
  const locksBefore = await lockIds(project);
  assert.is(locksBefore.filter((id) => id.startsWith('accounts_handle_key-')).length, ROWS);
  assert.is(locksBefore.filter((id) => id.startsWith('accounts_nick_key-')).length, ROWS / 2);
  const db = createDatabase({ driver: fsDriver(project), repositories: { accounts: accountsV2 }, schemaMode: 'off' });
  await migrate(db, { migrations: [renameAndDrop] });
  const rows = await db.accounts.find({ where: {}, orderBy: { n: 'asc' }, limit: 1000 });
  assert.equal(rows.map((r) => r.id), ids);
  assert.ok(rows.every((r) => r.login === `h${r.n}` && r.tier === (r.n % 2 ? 'odd' : 'even')));
  const raw = await db.driver.query(db.schemas.get('accounts')!, { orderBy: [{ field: 'id', direction: 'asc' }], limit: 1 }, {});
  assert.equal(Object.keys(raw[0]!).sort(), ['id', 'login', 'n', 'tier']);
  const locks = await lockIds(project);
  assert.equal([locks.filter((id) => id.startsWith('accounts_login_key-')).length, locks.length], [ROWS, ROWS], 'one lock per login, none left under the old names');
  // The moved locks still enforce uniqueness, and a freed value can be claimed again.
  const dup = await db.accounts.create({ login: 'h7', n: 1, tier: 'x' }).catch((e: unknown) => e);
  assert.instance(dup, UniqueViolationError);
  await db.accounts.update(ids[7]!, { login: 'h7-renamed' });
  assert.ok(await db.accounts.create({ login: 'h7', n: 1, tier: 'x' }));
  await db.close();
});

test('requiring a field that some documents lack fails before writing anything', async () => {
  const project = freshProject();
  await seed(project);
  const driver = fsDriver(project);
  const snapshot = async () => (await driver.firestore.collection('accounts').orderBy('n').get()).docs.map((d) => JSON.stringify(d.data(), (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));
  const before = await snapshot();
  const noFill = defineMigration({
    id: 'a001_no_fill',
    up(m) {
      m.renameField('accounts', 'handle', 'login');
      m.dropField('accounts', 'nick');
      m.addField('accounts', 'tier');
      m.backfill<typeof accountsV2>('accounts', {}, (row) => (row.n < 10 ? { tier: 'early' } : undefined));
    },
  });
  const db = createDatabase({ driver, repositories: { accounts: accountsV2 }, schemaMode: 'off' });
  const err = await migrate(db, { migrations: [noFill] }).catch((e: unknown) => e);
  assert.instance(err, MigrationError);
  assert.match((err as Error).message, /has no value in tier\. Fill it with a backfill first; nothing was changed/);
  const after = await snapshot();
  // The expand phase (rename, new field as null) and the backfill ran; the failed contract changed nothing.
  assert.is(after.length, before.length);
  assert.ok(after.every((d) => d.includes('"nick"')), 'the dropped field is still there');
  await db.close();
});

test('renameRepository moves every document and its unique locks to the new collection', async () => {
  const project = freshProject();
  const notes = defineRepository('notes', { id: f.id(), body: f.string().unique(), n: f.integer() });
  const memos = defineRepository('memos', { id: f.id(), body: f.string().unique(), n: f.integer() });
  const db1 = createDatabase({ driver: fsDriver(project), repositories: { notes } });
  await db1.connect();
  const made = await db1.notes.createMany(Array.from({ length: 300 }, (_, i) => ({ body: `b${i}`, n: i })));
  await db1.close();
  const db = createDatabase({ driver: fsDriver(project), repositories: { memos }, schemaMode: 'off' });
  const rename = defineMigration({ id: 'r001_memos', up(m) { m.renameRepository('notes', 'memos'); } });
  assert.equal((await migrate(db, { migrations: [rename] })).applied, ['r001_memos']);
  const rows = await db.memos.find({ where: {}, orderBy: { n: 'asc' }, limit: 1000 });
  assert.equal(rows.map((r) => [r.id, r.body]), made.map((r) => [r.id, r.body]));
  const fs = (db.driver as ReturnType<typeof fsDriver>).firestore;
  assert.is((await fs.collection('notes').get()).size, 0, 'the old collection is empty');
  assert.is((await fs.collection('notes__unique').get()).size, 0, 'its locks moved');
  const locks = (await fs.collection('memos__unique').get()).docs.map((d) => d.id);
  assert.is(locks.filter((id) => id.startsWith('memos_body_key-')).length, 300);
  assert.instance(await db.memos.create({ body: 'b5', n: 1 }).catch((e: unknown) => e), UniqueViolationError);
  await db.close();
});

test('a schema pass run again (as after a crash half-way) changes nothing more', async () => {
  const project = freshProject();
  await seed(project);
  const db = createDatabase({ driver: fsDriver(project), repositories: { accounts: accountsV2 }, schemaMode: 'off' });
  const storage = db.schemas.get('accounts')!;
  const login = { name: 'login', meta: storage.fields.login! };
  const changes = [
    { kind: 'renameField' as const, table: 'accounts', from: { name: 'handle', meta: { ...login.meta, column: 'handle' } }, to: login },
    { kind: 'dropField' as const, table: 'accounts', field: { name: 'nick', meta: { ...login.meta, column: 'nick', unique: false } } },
  ];
  const backend = db.driver.migrations!;
  const first = await backend.applySchemaChanges(changes, []);
  assert.match(first.join('\n'), new RegExp(`\\(${ROWS} documents changed\\)`));
  const raw = () => db.driver.query(storage, { orderBy: [{ field: 'id', direction: 'asc' }] }, {});
  const before = await raw();
  const second = await backend.applySchemaChanges(changes, []);
  assert.match(second.join('\n'), /\(0 documents changed\)/);
  assert.equal(await raw(), before);
  assert.ok(before.every((r) => typeof r.login === 'string' && r.login.startsWith('h')));
  await db.close();
});

test.run();
