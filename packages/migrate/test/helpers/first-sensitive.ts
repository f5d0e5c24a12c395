import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, type Driver } from '@chatcore/core';
import { encryption } from '@chatcore/encryption';
import { defineMigration, migrate, migrationStatus, planMigration } from '../../src/index.js';
import { KEY, salt } from './tickets.js';

// A repository without encrypted fields gains its first one (searchable, required) with a backfill:
// the row authenticator and blind index come with it, and the rows written before (no authenticator)
// are rewritten by the backfill.

const V1 = defineRepository('people', { id: f.id(), name: f.string(), version: f.version() });
const V2 = defineRepository('people', { id: f.id(), name: f.string(), phone: f.string().sensitive({ searchable: true }), version: f.version() });
const plugins = () => [encryption({ keys: [{ id: 'k1', key: KEY }] })];

/** `stated`: the migration also names rowAuth, as plans proposed before. */
export async function addFirstSensitiveField(stated: boolean, driver: () => Driver): Promise<void> {
  const s = salt();
  const db1 = createDatabase({ driver: driver(), repositories: { people: V1 }, plugins: plugins() });
  await db1.connect();
  const rows = await db1.people.createMany(Array.from({ length: 5 }, (_, i) => ({ name: `n${i}-${s}` })));

  const db2 = createDatabase({ driver: driver(), repositories: { people: V2 }, plugins: plugins(), schemaMode: 'off' });
  const plan = await planMigration(db2, { id: 'next' });
  assert.ok(plan.changes.some((c) => c.field === 'phone'), 'the plan adds phone');
  assert.not.ok(plan.changes.some((c) => (c.field === 'rowAuth' || c.field === 'phoneBidx') && c.step !== null), `the plan asks no step of a plugin-owned field: ${JSON.stringify(plan.changes)}`);

  const m = defineMigration({
    id: '001_phone',
    up: (m) => {
      m.addField('people', 'phone');
      if (stated) m.addField('people', 'rowAuth');
      m.backfill<typeof V2>('people', { batchSize: 2 }, (row) => ({ phone: `ph-${row.name}` }));
    },
  });
  assert.equal((await migrate(db2, { migrations: [m] })).applied, ['001_phone']);
  assert.equal((await migrationStatus(db2, { migrations: [m] })).map((x) => x.state), ['applied']);
  const stored = await db2.driver.query(db2.schemas.get('people')!, { orderBy: [{ field: 'id', direction: 'asc' }] }, {});
  assert.is(stored.length, 5);
  for (const row of stored) {
    assert.ok(typeof row.rowAuth === 'string' && row.rowAuth.length > 0, 'every row has its authenticator');
    assert.not.ok(String(row.phone).includes('ph-'), 'phone is stored encrypted');
  }
  for (const [i, r] of rows.entries()) {
    assert.equal(await db2.people.get(r.id), { id: r.id, name: `n${i}-${s}`, phone: `ph-n${i}-${s}`, version: 2 });
  }
  assert.is((await db2.people.findOne({ where: { phone: `ph-n3-${s}` } }))?.id, rows[3]!.id);
  assert.is((await db2.people.update(rows[0]!.id, { name: 'x' })).phone, `ph-n0-${s}`);
  await db1.close();
  await db2.close();
}
