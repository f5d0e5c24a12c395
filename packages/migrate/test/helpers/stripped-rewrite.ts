import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, IntegrityError, MigrationError, type Driver } from '@chatcore/core';
import { encryption } from '@chatcore/encryption';
import { defineMigration, migrate } from '../../src/index.js';
import { KEY, salt } from './tickets.js';

// A repository gains its first encrypted field (optional, so that it may be nulled after the migration too): while the migration's data steps run, rows without an
// authenticator and without an encrypted value (written before) are read. A row the migration already
// rewrote, then stripped of its authenticator and encrypted values by someone who can write rows, must
// still be refused (IntegrityError), and no step or later migration may authenticate it again.

const V1 = defineRepository('people', { id: f.id(), name: f.string(), version: f.version() });
const V2 = defineRepository('people', { id: f.id(), name: f.string(), phone: f.string().optional().sensitive({ searchable: true }), version: f.version() });
const plugins = () => [encryption({ keys: [{ id: 'k1', key: KEY }] })];
type Db2 = ReturnType<typeof open>;

function open(driver: () => Driver) {
  return createDatabase({ driver: driver(), repositories: { people: V2 }, plugins: plugins(), schemaMode: 'off' });
}

async function seed(driver: () => Driver): Promise<string[]> {
  const s = salt();
  const db1 = createDatabase({ driver: driver(), repositories: { people: V1 }, plugins: plugins() });
  await db1.connect();
  const rows = await db1.people.createMany(Array.from({ length: 5 }, (_, i) => ({ name: `n${i}-${s}` })));
  await db1.close();
  return rows.map((r) => r.id);
}

/** Set the row's authenticator and encrypted values to null below chatcore, as a database writer can. */
async function strip(db: Db2, id: string): Promise<void> {
  await db.driver.update(db.schemas.get('people')!, { ids: [id] }, { set: { rowAuth: null, phone: null, phoneBidx: null }, increment: {} }, {});
}

async function stored(db: Db2, id: string) {
  return (await db.driver.query(db.schemas.get('people')!, { where: { kind: 'cmp', field: 'id', op: 'eq', value: id }, orderBy: [{ field: 'id', direction: 'asc' }] }, {}))[0]!;
}

const refusal = (p: Promise<unknown>) => p.then(() => 'accepted', (e: unknown) => (e instanceof IntegrityError ? 'IntegrityError' : e));

function causedByIntegrity(err: unknown): boolean {
  return err instanceof MigrationError && err.cause instanceof IntegrityError;
}

async function stillStripped(db: Db2, id: string): Promise<void> {
  const row = await stored(db, id);
  assert.is(row.rowAuth, null, 'the stripped row was not authenticated again');
  assert.is(await refusal(db.people.get(id)), 'IntegrityError');
}

/** While the step runs (its second batch), a row of its first batch is stripped: reads and updates refuse it. */
export async function strippedWhileRunning(driver: () => Driver): Promise<void> {
  const ids = await seed(driver);
  const db = open(driver);
  const seen: unknown[] = [];
  const m = defineMigration({
    id: '001_phone',
    up: (m) => {
      m.addField('people', 'phone');
      m.backfill<typeof V2>('people', { batchSize: 2 }, async (row) => {
        if (row.id === ids[2]) {
          await strip(db, ids[0]!);
          seen.push(await refusal(db.people.get(ids[0]!)), await refusal(db.people.update(ids[0]!, { name: 'laundered' })));
          seen.push(await refusal(db.people.get(ids[4]!)));
        }
        return { phone: `ph-${row.name}` };
      });
    },
  });
  assert.equal((await migrate(db, { migrations: [m] })).applied, ['001_phone']);
  assert.equal(seen, ['IntegrityError', 'IntegrityError', 'accepted'], 'the rewritten row is refused; a row not reached yet is read');
  await stillStripped(db, ids[0]!);
  for (const id of ids.slice(1)) assert.ok((await db.people.get(id)).phone?.startsWith('ph-'));
  await db.close();
}

/** Interrupted after its first batch, a row of that batch is stripped: the resumed run's next step refuses it. */
export async function strippedWhileInterrupted(driver: () => Driver): Promise<void> {
  const ids = await seed(driver);
  let fail = true;
  const m = defineMigration({
    id: '001_phone',
    up: (m) => {
      m.addField('people', 'phone');
      m.backfill<typeof V2>('people', { batchSize: 2 }, (row) => {
        if (fail && row.id === ids[2]) throw new Error('interrupted');
        return { phone: `ph-${row.name}` };
      });
      m.backfill<typeof V2>('people', { batchSize: 2 }, (row) => ({ name: `${row.name}!` }));
    },
  });
  const db = open(driver);
  assert.instance(await migrate(db, { migrations: [m] }).catch((e: unknown) => e), MigrationError);
  assert.ok(typeof (await stored(db, ids[0]!)).rowAuth === 'string', 'the first batch was rewritten');
  await strip(db, ids[0]!);
  fail = false;
  const err = await migrate(db, { migrations: [m] }).catch((e: unknown) => e);
  assert.ok(causedByIntegrity(err), `the resumed run refuses the stripped row: ${err instanceof Error ? err.message : JSON.stringify(err)}`);
  await stillStripped(db, ids[0]!);
  await db.close();
}

/** After the migration, a stripped row is refused by a later migration's backfill, not authenticated again. */
export async function strippedBeforeLaterMigration(driver: () => Driver): Promise<void> {
  const ids = await seed(driver);
  const first = defineMigration({
    id: '001_phone',
    up: (m) => {
      m.addField('people', 'phone');
      m.backfill<typeof V2>('people', { batchSize: 2 }, (row) => ({ phone: `ph-${row.name}` }));
    },
  });
  const later = defineMigration({ id: '002_names', up: (m) => m.backfill<typeof V2>('people', { batchSize: 2 }, (row) => ({ name: `${row.name}!` })) });
  const db = open(driver);
  assert.equal((await migrate(db, { migrations: [first] })).applied, ['001_phone']);
  await strip(db, ids[3]!);
  const err = await migrate(db, { migrations: [first, later] }).catch((e: unknown) => e);
  assert.ok(causedByIntegrity(err), `the later migration refuses the stripped row: ${err instanceof Error ? err.message : JSON.stringify(err)}`);
  await stillStripped(db, ids[3]!);
  await db.close();
}
