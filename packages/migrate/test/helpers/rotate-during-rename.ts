import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { ConfigError, createDatabase, KeyError, type Driver } from '@chatcore/core';
import { encryption, type EncryptionPlugin } from '@chatcore/encryption';
import { defineMigration, migrate } from '../../src/index.js';
import { peopleV1, peopleV2 } from './row-auth-rename.js';
import { KEY, salt } from './tickets.js';

// Rotating keys while a rename of an encrypted field is unfinished: the rows
// not rewritten yet still hold ciphertext under the old name, which resuming
// the migration must decrypt. The key jobs must count it.

const KEY2 = createHash('sha256').update('migrate-tickets-k2').digest('base64');
const BIDX = createHash('sha256').update('migrate-rotate-bidx').digest('base64');
const renameEmail = defineMigration({ id: '010_people_contact', up: (m) => m.renameField('people', 'email', 'contact', { batchSize: 5 }) });

async function outcome<T>(run: () => Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return run().then((value) => ({ value }), (error: unknown) => ({ error }));
}

/**
 * 20 rows; the migration stops at the row of index 12 (tampered), after
 * rewriting the first 10. With k2 active: reencrypt refuses (ConfigError),
 * keyUsage counts the 10 old-name values under k1 and retireKey('k1')
 * refuses (KeyError) naming people.email; so does retireKey('k1') in a
 * database that did not run the migration (its keyUsage sees only k2),
 * naming the migration. Restoring the row and resuming the migration reads
 * every row back; then k1 can be retired.
 * `driver()` must give drivers on the same storage each time.
 */
export async function rotateDuringRename(driver: () => Driver): Promise<void> {
  const s = salt();
  const email = (i: number) => `p${i}-${s}@example.com`;
  const db1 = createDatabase({ driver: driver(), repositories: { people: peopleV1 }, plugins: [encryption({ keys: [{ id: 'k1', key: KEY }], blindIndex: { key: BIDX } })] });
  await db1.connect();
  const created = await db1.people.createMany(Array.from({ length: 20 }, (_, i) => ({ name: `n${i}`, email: email(i), phone: null })));
  const ids = created.map((c) => c.id).sort();
  const schema = db1.schemas.get('people')!;
  const storedRow = async (id: string) => (await db1.driver.getByIds(schema, [id], {}))[0]!;
  const before = await storedRow(ids[12]!);
  await db1.people.update(ids[12]!, { email: email(12) });
  const good = await storedRow(ids[12]!);
  await db1.driver.update(schema, { ids: [ids[12]!] }, { set: { email: before.email }, increment: {} }, {});

  const db2 = createDatabase({ driver: driver(), repositories: { people: peopleV2 }, schemaMode: 'off',
    plugins: [encryption({ keys: [{ id: 'k1', key: KEY }, { id: 'k2', key: KEY2, active: true }], blindIndex: { key: BIDX } })] });
  const first = await outcome(() => migrate(db2, { migrations: [renameEmail] }));
  assert.ok('error' in first, 'the migration stops at the tampered row');
  const enc = db2.plugin<EncryptionPlugin>('encryption')!;

  const re = await outcome(() => enc.reencrypt({ repository: 'people', batchSize: 5 }));
  assert.ok('error' in re && re.error instanceof ConfigError, `reencrypt refuses: ${'error' in re ? String(re.error) : 'it ran'}`);
  assert.match((re as { error: Error }).error.message, /people\.email.*finish the migration first/);

  const usage = await enc.keyUsage();
  assert.equal(usage.byKey, { k2: 10, k1: 10 });
  assert.equal(usage.byRepository.people, { k2: 10, k1: 10 });
  assert.equal(usage.oldNames, [{ repository: 'people', from: 'email', to: 'contact', byKey: { k1: 10 } }]);

  const retire = await outcome(() => enc.retireKey('k1'));
  assert.ok('error' in retire && retire.error instanceof KeyError, `retireKey refuses: ${'error' in retire ? String(retire.error) : 'it retired k1'}`);
  assert.match((retire as { error: Error }).error.message, /people\.email.*finish the migration first/);
  assert.equal(enc.keyIds(), ['k1', 'k2'], 'k1 stays in the keyring');

  // A process that did not run the migration does not see the old-name values: the unfinished migration alone keeps k1.
  const db3 = createDatabase({ driver: driver(), repositories: { people: peopleV2 }, schemaMode: 'off',
    plugins: [encryption({ keys: [{ id: 'k1', key: KEY }, { id: 'k2', key: KEY2, active: true }], blindIndex: { key: BIDX } })] });
  await db3.connect();
  const other = db3.plugin<EncryptionPlugin>('encryption')!;
  assert.equal((await other.keyUsage()).byKey, { k2: 10 });
  const retired = await outcome(() => other.retireKey('k1'));
  assert.ok('error' in retired && retired.error instanceof KeyError, `retireKey refuses in another process: ${'error' in retired ? String(retired.error) : 'it retired k1'}`);
  assert.match((retired as { error: Error }).error.message, /010_people_contact did not finish.*Finish the migration first/);
  assert.equal(other.keyIds(), ['k1', 'k2'], 'k1 stays in its keyring');
  await db3.close();

  await db1.driver.update(schema, { ids: [ids[12]!] }, { set: { email: good.email }, increment: {} }, {});
  const second = await migrate(db2, { migrations: [renameEmail] });
  assert.equal(second.resumed, ['010_people_contact']);
  for (const [i, id] of ids.entries()) assert.is((await db2.people.get(id))?.contact, email(created.findIndex((c) => c.id === id)), `row ${i}`);

  // Finished: the old column is gone, every value is under k2, and k1 can go.
  const after = await enc.keyUsage();
  assert.equal(after.byKey, { k2: 20 });
  assert.equal(after.oldNames, []);
  await enc.retireKey('k1');
  assert.equal(enc.keyIds(), ['k2']);
  await db2.close();
  await db1.close();
}

/**
 * 20 rows; the rename (run while k1 was the only key) stops after its first
 * 10 rows. A database that did not run it (another process), with k2
 * active: reencrypt refuses (ConfigError) naming the migration, with no row
 * changed. Once that process resumes the migration, reencrypt puts every
 * value under k2.
 * `driver()` must give drivers on the same storage each time.
 */
export async function reencryptInAnotherProcess(driver: () => Driver): Promise<void> {
  const s = salt();
  const k1 = { id: 'k1', key: KEY };
  const db1 = createDatabase({ driver: driver(), repositories: { people: peopleV1 }, plugins: [encryption({ keys: [k1], blindIndex: { key: BIDX } })] });
  await db1.connect();
  await db1.people.createMany(Array.from({ length: 20 }, (_, i) => ({ name: `n${i}`, email: `p${i}-${s}@example.com`, phone: `+1-555-${i}` })));
  await db1.close();
  const db2 = createDatabase({ driver: driver(), repositories: { people: peopleV2 }, schemaMode: 'off', plugins: [encryption({ keys: [k1], blindIndex: { key: BIDX } })] });
  const stop = new Error('stopped');
  const first = await outcome(() => migrate(db2, { migrations: [renameEmail], concurrency: 1, onProgress: (e) => { if ((e.rows ?? 0) >= 10) throw stop; } }));
  assert.ok('error' in first && (first.error as Error).cause === stop, 'the migration stops after 10 rows');
  await db2.close();

  const db3 = createDatabase({ driver: driver(), repositories: { people: peopleV2 }, schemaMode: 'off',
    plugins: [encryption({ keys: [k1, { id: 'k2', key: KEY2, active: true }], blindIndex: { key: BIDX } })] });
  await db3.connect();
  const schema = db3.schemas.get('people')!;
  const withOldName = { ...schema, fields: { ...schema.fields, email: { ...schema.fields.contact!, column: 'email' }, emailBidx: { ...schema.fields.contactBidx!, column: 'email_bidx' } } };
  const stored = () => db3.driver.query(withOldName, { orderBy: [{ field: 'id', direction: 'asc' }] }, {});
  const before = await stored();
  assert.is(before.filter((r) => r.contact == null && typeof r.email === 'string').length, 10, 'rows still under the old name');
  const enc = db3.plugin<EncryptionPlugin>('encryption')!;
  const re = await outcome(() => enc.reencrypt({ repository: 'people', batchSize: 5 }));
  assert.ok('error' in re && re.error instanceof ConfigError, `reencrypt refuses: ${'error' in re ? String(re.error) : 'it ran'}`);
  assert.match((re as { error: Error }).error.message, /010_people_contact did not finish.*Nothing was re-encrypted: finish the migration first/);
  assert.equal(await stored(), before, 'no row changed');

  const second = await migrate(db3, { migrations: [renameEmail] });
  assert.equal(second.resumed, ['010_people_contact']);
  const done = await enc.reencrypt({ repository: 'people', batchSize: 5 });
  // The migration's rewrite of rows 10-19 sealed each of their values again for the row's new state, under k2.
  assert.equal([done.done, done.scanned, done.rewritten, done.skipped], [true, 20, 20, 0], 'rows 0-9 contact and phone were under k1');
  assert.equal((await enc.keyUsage()).byKey, { k2: 40 });
  await db3.close();
}
