import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { createDatabase, defineRepository, f, IntegrityError } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { encryption } from '../src/index.js';

const KEY = createHash('sha256').update('migration-rewrites').digest('base64');
const people = defineRepository('people', { id: f.id(), name: f.string(), phone: f.string().optional().sensitive(), version: f.version() });

test('migrationRewrites: only rows without any encrypted value are read without an authenticator, and only while a step runs', async () => {
  const driver = memoryDriver();
  const plugin = encryption({ keys: [{ id: 'k1', key: KEY }] });
  const db = createDatabase({ driver, repositories: { people }, plugins: [plugin] });
  await db.connect();
  const bare = await db.people.create({ name: 'bare', phone: null });
  const held = await db.people.create({ name: 'held', phone: '555' });
  // Authenticators removed below chatcore: rows as written before the repository had an encrypted field (bare), or stripped (held).
  await driver.update(db.schemas.get('people')!, { ids: [bare.id, held.id] }, { set: { rowAuth: null }, increment: {} }, {});
  const refused = (id: string) => db.people.get(id).then(() => false, (e: unknown) => e instanceof IntegrityError);
  assert.ok(await refused(bare.id), 'refused before a step runs');
  const step = { adds: ['phone'], rewritten: () => false };
  const release = plugin.migrationRewrites('people', step)!;
  assert.is((await db.people.get(bare.id)).name, 'bare');
  assert.ok(await refused(held.id), 'a row holding ciphertext still needs its authenticator');
  await db.people.update(bare.id, { name: 'rewritten' });
  release();
  assert.is((await db.people.get(bare.id)).name, 'rewritten', 'the rewrite added its authenticator');
  assert.ok(await refused(held.id));
  assert.is(plugin.migrationRewrites('nobody', step), undefined);
  await db.close();
});

test('migrationRewrites: a row the migration already rewrote, stripped, is refused; no window unless the migration adds every encrypted field', async () => {
  const driver = memoryDriver();
  const plugin = encryption({ keys: [{ id: 'k1', key: KEY }] });
  const db = createDatabase({ driver, repositories: { people }, plugins: [plugin] });
  await db.connect();
  const [a, b] = [await db.people.create({ name: 'a', phone: '555' }), await db.people.create({ name: 'b', phone: '556' })];
  // Both stripped of their authenticator and encrypted value below chatcore: they look like rows written before.
  await driver.update(db.schemas.get('people')!, { ids: [a.id, b.id] }, { set: { rowAuth: null, phone: null }, increment: {} }, {});
  const refused = (id: string) => db.people.get(id).then(() => false, (e: unknown) => e instanceof IntegrityError);
  assert.is(plugin.migrationRewrites('people', { adds: ['name'], rewritten: () => false }), undefined, 'a migration that does not add phone opens no window');
  assert.ok(await refused(a.id));
  const release = plugin.migrationRewrites('people', { adds: ['phone'], rewritten: (id) => id === a.id })!;
  assert.ok(await refused(a.id), 'already rewritten by the migration: must carry its authenticator');
  assert.not.ok(await refused(b.id), 'not reached yet: read as written before');
  const second = plugin.migrationRewrites('people', { adds: ['phone'], rewritten: (id) => id === b.id })!;
  assert.ok(await refused(b.id), 'any open window that rewrote it refuses it');
  second();
  second();
  assert.not.ok(await refused(b.id), 'closing one window twice leaves the other open');
  release();
  assert.ok(await refused(b.id));
  await db.close();
});

test.run();
