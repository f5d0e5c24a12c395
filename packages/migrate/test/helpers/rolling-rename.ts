import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, type Driver, type SecurityEvent } from '@chatcore/core';
import type { Plugin } from '@chatcore/core/plugin';
import { encryption } from '@chatcore/encryption';
import { defineMigration, migrate } from '../../src/index.js';
import { KEY } from './tickets.js';

// A rolling deploy: the previous release keeps serving while the next one's
// migration renames a protected field. What the previous release writes in
// the old layout after the copy passed its rows must not be lost.

const peopleV1 = defineRepository('people', { id: f.id(), name: f.string(), phone: f.string().optional().sensitive(), version: f.version() });
const peopleV2 = defineRepository('people', { id: f.id(), name: f.string(), tel: f.string().optional().sensitive(), version: f.version() });
const gate = defineRepository('gate', { id: f.id(), n: f.integer().optional() });
const plugins = () => [encryption({ keys: [{ id: 'k1', key: KEY }] })];

/**
 * Seed two people, run a migration that renames phone to tel and then
 * backfills another repository; while that backfill waits, the previous
 * release creates a person with a phone and one without. Every row then
 * reads through the new release, the late one with its phone as tel.
 * `driver()` must give drivers on the same storage each time.
 */
export async function createsDuringEncryptedRename(driver: () => Driver): Promise<void> {
  const db1 = createDatabase({ driver: driver(), repositories: { people: peopleV1, gate }, plugins: plugins() });
  await db1.connect();
  const db2 = createDatabase({ driver: driver(), repositories: { people: peopleV2, gate }, plugins: plugins(), schemaMode: 'off' });
  try {
    await db1.people.createMany([{ name: 'a', phone: 'A' }, { name: 'b', phone: null }]);
    await db1.gate.create({ n: 1 });
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    let reached!: () => void;
    const atGate = new Promise<void>((resolve) => (reached = resolve));
    const migration = defineMigration({
      id: '020_people_tel',
      up(m) {
        m.renameField('people', 'phone', 'tel', { batchSize: 1 });
        m.backfill('gate', {}, async () => { reached(); await opened; return {}; });
      },
    });
    const run = migrate(db2, { migrations: [migration] });
    await atGate; // the copy of people is done
    const late = await db1.people.create({ name: 'c', phone: 'C' });
    const lateEmpty = await db1.people.create({ name: 'd', phone: null });
    open();
    assert.equal((await run).applied, ['020_people_tel']);
    const rows = await db2.people.find({ orderBy: { name: 'asc' } });
    assert.equal(rows.map((r) => [r.name, r.tel]), [['a', 'A'], ['b', null], ['c', 'C'], ['d', null]]);
    assert.is((await db2.people.get(late.id))?.tel, 'C', 'the acknowledged create of the previous release kept its value');
    assert.is((await db2.people.get(lateEmpty.id))?.tel, null);
  } finally {
    await db1.close();
    await db2.close();
  }
}

/**
 * The previous release updates a row between the rename's read of it and
 * its write (a plugin of the migrating process makes that write when the
 * copy's first update starts). The copy reads the row again and copies the
 * new value: the migration finishes, with no integrity failure reported.
 */
export async function updateDuringEncryptedRenameCopy(driver: () => Driver): Promise<void> {
  const db1 = createDatabase({ driver: driver(), repositories: { people: peopleV1, gate }, plugins: plugins() });
  await db1.connect();
  let raced = false;
  const interleave: Plugin = {
    name: 'previous-release-write',
    async beforeUpdate({ op }) {
      if (raced || op.schema.name !== 'people' || !('tel' in op.patch.set)) return;
      raced = true;
      for (const id of op.target.ids ?? []) await db1.people.update(id, { phone: 'B', name: 'a2' });
    },
  };
  const security: SecurityEvent[] = [];
  const db2 = createDatabase({ driver: driver(), repositories: { people: peopleV2, gate }, plugins: [interleave, encryption({ keys: [{ id: 'k1', key: KEY }], onSecurityEvent: (e) => security.push(e) })], schemaMode: 'off' });
  try {
    const a = await db1.people.create({ name: 'a', phone: 'A' });
    const migration = defineMigration({ id: '021_people_tel', up: (m) => m.renameField('people', 'phone', 'tel', { batchSize: 10 }) });
    assert.equal((await migrate(db2, { migrations: [migration], concurrency: 1 })).applied, ['021_people_tel']);
    assert.ok(raced, 'the previous release wrote between the read and the write');
    const got = await db2.people.get(a.id);
    assert.equal([got?.name, got?.tel], ['a2', 'B'], 'the write of the previous release is kept');
    assert.equal(security, [], 'no integrity failure reported');
  } finally {
    await db1.close();
    await db2.close();
  }
}
