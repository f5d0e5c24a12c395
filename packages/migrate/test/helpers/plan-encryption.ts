import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, MigrationError, type Driver } from '@chatcore/core';
import { encryption } from '@chatcore/encryption';
import { createMigration, migrate, planMigration } from '../../src/index.js';

const KEY = createHash('sha256').update('migrate-plan-encryption-k1').digest('base64');
const keys = () => encryption({ keys: [{ id: 'k1', key: KEY }] });
// Inside the package, so that a generated file's `import '@chatcore/migrate'` resolves.
const here = fileURLToPath(new URL('..', import.meta.url));

/**
 * The planner's handling of a field whose encryption changes, on one backend; `driver` gives a driver on a fresh,
 * empty database each call with the same `scope`.
 */
export function planEncryptionTests(test: Test, driver: (scope: string) => Promise<Driver>): void {
  test('making an encrypted field searchable plans a rebuild of its blind index, and lookups then find old rows', async () => {
    const scope = randomBytes(4).toString('hex');
    const V1 = defineRepository('people', { id: f.id(), name: f.string(), ssn: f.string().optional().sensitive(), version: f.version() });
    const V2 = defineRepository('people', { id: f.id(), name: f.string(), ssn: f.string().optional().sensitive({ searchable: true }), version: f.version() });
    const db1 = createDatabase({ driver: await driver(scope), repositories: { people: V1 }, plugins: [keys()] });
    await db1.connect();
    const rows = await db1.people.createMany([{ name: 'a', ssn: 's-0' }, { name: 'b', ssn: 's-1' }, { name: 'c' }]);
    await db1.close();

    const dir = await mkdtemp(join(here, '.generated-'));
    try {
      const db = createDatabase({ driver: await driver(scope), repositories: { people: V2 }, plugins: [keys()], schemaMode: 'off' });
      const { plan, path } = await createMigration(db, { dir, name: 'searchable' });
      assert.ok(plan.changes.some((c) => c.kind === 'rebuildBlindIndex' && c.field === 'ssn'), JSON.stringify(plan.changes));
      assert.match(await readFile(path, 'utf8'), /m\.backfill\('people'/);
      await migrate(db, { dir });
      assert.is((await db.people.findOne({ where: { ssn: 's-1' } }))?.id, rows[1]!.id);
      assert.is(await db.people.count({ ssn: 's-0' }), 1);
      assert.equal((await db.people.get(rows[2]!.id))?.ssn, null);
      assert.is((await db.people.findOne({ where: { ssn: null } }))?.id, rows[2]!.id, 'a null test matches the old row without a value');
      await db.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('encrypting a plain field that holds values is refused with the supported path; data unchanged', async () => {
    const scope = randomBytes(4).toString('hex');
    const V1 = defineRepository('people', { id: f.id(), name: f.string(), ssn: f.string().optional(), version: f.version() });
    const V2 = defineRepository('people', { id: f.id(), name: f.string(), ssn: f.string().optional().sensitive({ searchable: true }), version: f.version() });
    const db1 = createDatabase({ driver: await driver(scope), repositories: { people: V1 } });
    await db1.connect();
    const rows = await db1.people.createMany([{ name: 'a', ssn: 'ssn-0' }, { name: 'b' }]);
    const db = createDatabase({ driver: await driver(scope), repositories: { people: V2 }, plugins: [keys()], schemaMode: 'off' });
    const err = await planMigration(db, { id: 'x' }).catch((e: unknown) => e);
    assert.instance(err, MigrationError);
    assert.match((err as Error).message, /people\.ssn becomes encrypted, but its stored values are not/);
    assert.match((err as Error).message, /add a new sensitive field/);
    assert.equal({ field: (err as MigrationError).info?.field, record: (err as MigrationError).info?.record }, { field: 'ssn', record: rows[0]!.id });
    assert.is((await db1.people.get(rows[0]!.id))?.ssn, 'ssn-0');
    await db.close();
    await db1.close();
  });

  test('a plan never asks the author for a plugin-owned field (row authenticator)', async () => {
    const scope = randomBytes(4).toString('hex');
    const V1 = defineRepository('people', { id: f.id(), name: f.string(), ssn: f.string().optional(), version: f.version() });
    const V2 = defineRepository('people', { id: f.id(), name: f.string(), ssn: f.string().optional(), ssnEncrypted: f.string().optional().sensitive({ searchable: true }), version: f.version() });
    const db1 = createDatabase({ driver: await driver(scope), repositories: { people: V1 } });
    await db1.connect();
    await db1.people.createMany([{ name: 'a', ssn: 'ssn-0' }, { name: 'b', ssn: 'ssn-1' }]);
    await db1.close();
    const db = createDatabase({ driver: await driver(scope), repositories: { people: V2 }, plugins: [keys()], schemaMode: 'off' });
    const plan = await planMigration(db, { id: 'x' });
    assert.not.match(plan.source, /TODO/);
    assert.not.match(plan.source, /rowAuth/, 'migrate refuses a step naming a field the repository does not declare');
    assert.not.ok(plan.changes.some((c) => c.field === 'rowAuth' && c.step !== null), JSON.stringify(plan.changes));
    assert.not.ok(plan.changes.some((c) => c.field === 'ssnEncryptedBidx'), JSON.stringify(plan.changes));
    await db.close();
  });
  test('making a sealed field searchable plans a rebuild of its blind index from the envelope, and lookups then find old rows', async () => {
    const scope = randomBytes(4).toString('hex');
    const sealed = { plugins: { encryption: { seal: true, clear: ['topic'] } } };
    const V1 = defineRepository('notes', { id: f.id(), topic: f.string(), body: f.string().optional().sensitive(), version: f.version() }, sealed);
    const V2 = defineRepository('notes', { id: f.id(), topic: f.string(), body: f.string().optional().sensitive({ searchable: true }), version: f.version() }, sealed);
    const db1 = createDatabase({ driver: await driver(scope), repositories: { notes: V1 }, plugins: [keys()] });
    await db1.connect();
    const rows = await db1.notes.createMany([{ topic: 'a', body: 'b-0' }, { topic: 'b', body: 'b-1' }, { topic: 'c' }]);
    await db1.close();

    const dir = await mkdtemp(join(here, '.generated-'));
    try {
      const db = createDatabase({ driver: await driver(scope), repositories: { notes: V2 }, plugins: [keys()], schemaMode: 'off' });
      const { plan, path } = await createMigration(db, { dir, name: 'searchable' });
      assert.ok(plan.changes.some((c) => c.kind === 'rebuildBlindIndex' && c.field === 'body'), JSON.stringify(plan.changes));
      assert.match(await readFile(path, 'utf8'), /m\.backfill\('notes'/);
      await migrate(db, { dir });
      assert.is((await db.notes.findOne({ where: { body: 'b-1' } }))?.id, rows[1]!.id);
      assert.is(await db.notes.count({ body: 'b-0' }), 1);
      assert.equal(await db.notes.get(rows[2]!.id), rows[2], 'a record without the field is not rewritten');
      assert.is((await db.notes.findOne({ where: { body: null } }))?.id, rows[2]!.id, 'a null test matches the old record without a value');
      await db.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('sealing a clear field that holds values is refused with the supported path; data unchanged', async () => {
    const scope = randomBytes(4).toString('hex');
    const fields = () => ({ id: f.id(), topic: f.string(), body: f.string().optional(), version: f.version() });
    const V1 = defineRepository('notes', fields(), { plugins: { encryption: { seal: true, clear: ['topic'] } } });
    const V2 = defineRepository('notes', fields(), { plugins: { encryption: { seal: true } } });
    const db1 = createDatabase({ driver: await driver(scope), repositories: { notes: V1 }, plugins: [keys()] });
    await db1.connect();
    const rows = await db1.notes.createMany([{ topic: 'a', body: 'b-0' }, { topic: 'b' }]);
    const db = createDatabase({ driver: await driver(scope), repositories: { notes: V2 }, plugins: [keys()], schemaMode: 'off' });
    const err = await planMigration(db, { id: 'x' }).catch((e: unknown) => e);
    assert.instance(err, MigrationError);
    assert.match((err as Error).message, /notes\.topic becomes sealed/);
    assert.match((err as Error).message, /add a new sealed field/);
    assert.equal((err as MigrationError).info, { repository: 'notes', field: 'topic', record: rows[0]!.id, reason: 'plaintext-values', envelope: 'sealed' });
    assert.is((await db1.notes.get(rows[0]!.id))?.topic, 'a');
    await db.close();
    await db1.close();

    // A repository that becomes sealed as a whole: its plain columns hold values the envelope lacks.
    const other = randomBytes(4).toString('hex');
    const plain = createDatabase({ driver: await driver(other), repositories: { notes: defineRepository('notes', fields()) } });
    await plain.connect();
    const [note] = await plain.notes.createMany([{ topic: 'a' }, { topic: 'b', body: 'b-1' }]);
    const sealed = createDatabase({ driver: await driver(other), repositories: { notes: V2 }, plugins: [keys()], schemaMode: 'off' });
    const refused = await planMigration(sealed, { id: 'x' }).catch((e: unknown) => e);
    assert.instance(refused, MigrationError);
    assert.equal((refused as MigrationError).info, { repository: 'notes', field: 'topic', record: note!.id, reason: 'plaintext-values', envelope: 'sealed' });
    await sealed.close();
    await plain.close();
  });

  test('a sealed repository with stored envelopes plans nothing: the plugin tells its envelopes from plaintext', async () => {
    const scope = randomBytes(4).toString('hex');
    const V = defineRepository('notes', { id: f.id(), topic: f.string(), body: f.string().optional(), version: f.version() }, { plugins: { encryption: { seal: true, clear: ['topic'] } } });
    const db1 = createDatabase({ driver: await driver(scope), repositories: { notes: V }, plugins: [keys()] });
    await db1.connect();
    await db1.notes.createMany([{ topic: 'a', body: 'b-0' }, { topic: 'b' }]);
    const plan = await planMigration(db1, { id: 'x' });
    assert.equal(plan.changes, [], JSON.stringify(plan.changes));
    await db1.close();
  });
}
