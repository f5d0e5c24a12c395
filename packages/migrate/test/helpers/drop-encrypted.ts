import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, MigrationError, type Driver } from '@chatcore/core';
import { encryption } from '@chatcore/encryption';
import { defineMigration, migrate, migrationStatus } from '../../src/index.js';
import { KEY, salt } from './tickets.js';

// Dropping an encrypted field of a repository with row authenticators: the
// authenticator of a row that held a value covers its ciphertext, so the drop is
// refused until the field was cleared through the repository.

const V1 = defineRepository('people', {
  id: f.id(),
  name: f.string(),
  email: f.string().sensitive({ searchable: true }),
  phone: f.string().optional().sensitive(),
  version: f.version(),
});
const V2 = defineRepository('people', { id: f.id(), name: f.string(), email: f.string().sensitive({ searchable: true }), version: f.version() });
const plugins = () => [encryption({ keys: [{ id: 'k1', key: KEY }] })];
const drop = defineMigration({ id: '002_drop_phone', up: (m) => m.dropField('people', 'phone') });
const clear = defineMigration({ id: '001_clear_phone', up: (m) => m.backfill<typeof V1>('people', { where: { phone: { isNull: false } }, batchSize: 2 }, () => ({ phone: null })) });

/** The drop is refused with nothing changed while rows hold phone values; once a release that declares phone cleared them, it drops and every row reads and updates. */
export async function dropEncryptedField(driver: () => Driver): Promise<void> {
  const s = salt();
  const db1 = createDatabase({ driver: driver(), repositories: { people: V1 }, plugins: plugins() });
  await db1.connect();
  const rows = await db1.people.createMany(Array.from({ length: 5 }, (_, i) => ({ name: `n${i}`, email: `e${i}-${s}`, phone: i % 2 ? null : `ph${i}` })));

  const db2 = createDatabase({ driver: driver(), repositories: { people: V2 }, plugins: plugins(), schemaMode: 'off' });
  const refused = await migrate(db2, { migrations: [drop] }).then(() => undefined, (e: unknown) => e);
  assert.ok(refused instanceof MigrationError, `expected MigrationError, got ${String(refused)}`);
  assert.match(refused.message, /people\.phone/);
  assert.match(refused.message, /null through the repository/);
  assert.is(refused.info.field, 'phone');
  assert.equal((await migrationStatus(db2, { migrations: [drop] })).map((m) => m.state), ['pending']);
  // Nothing changed: the release that still declares phone reads every value.
  assert.equal((await db1.people.getMany(rows.map((r) => r.id))).map((r) => r.phone), ['ph0', null, 'ph2', null, 'ph4']);

  // The documented way: clear it through the repository first, then drop.
  assert.equal((await migrate(db1, { migrations: [clear] })).applied, ['001_clear_phone']);
  assert.equal((await migrate(db2, { migrations: [clear, drop] })).applied, ['002_drop_phone']);
  for (const [i, r] of rows.entries()) {
    assert.equal(await db2.people.get(r.id), { id: r.id, name: `n${i}`, email: `e${i}-${s}`, version: i % 2 ? 1 : 2 });
    assert.is((await db2.people.update(r.id, { name: `x${i}` })).name, `x${i}`);
  }
  assert.is((await db2.people.findOne({ where: { email: `e0-${s}` } }))?.name, 'x0');
  await db1.close();
  await db2.close();
}
