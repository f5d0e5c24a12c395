import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, MigrationError, type Driver } from '@chatcore/core';
import { defineMigration, migrate, migrationStatus, type Migration } from '../../src/index.js';

const itemsV1 = defineRepository('items', { id: f.id(), name: f.string(), tokens: f.string() });
const itemsUnique = defineRepository('items', { id: f.id(), name: f.string().unique() });
const itemsPlain = defineRepository('items', { id: f.id(), name: f.string() });

const probe = defineRepository('probe', { id: f.id() });
const state = async (driver: Driver, migrations: Migration[]) => {
  const db = createDatabase({ driver, repositories: { probe } });
  const out = (await migrationStatus(db, { migrations })).map((s) => s.state);
  await db.close();
  return out;
};

/**
 * A schema-only migration that fails on duplicates is rolled back whole
 * (PostgreSQL, PGlite): it is pending again, and a corrected version of it
 * applies.
 */
export async function rolledBackIsPending(driver: () => Driver): Promise<void> {
  const v1 = createDatabase({ driver: driver(), repositories: { items: itemsV1 } });
  await v1.connect();
  await v1.items.createMany([{ name: 'a', tokens: 't1' }, { name: 'a', tokens: 't2' }]);
  await v1.close();

  const first = defineMigration({ id: 'm1_unique', up: (m) => { m.dropField('items', 'tokens'); m.addUnique('items', ['name']); } });
  const db = createDatabase({ driver: driver(), repositories: { items: itemsUnique }, schemaMode: 'off' });
  const err = await migrate(db, { migrations: [first] }).catch((e: unknown) => e);
  assert.instance(err, MigrationError);
  await db.close();
  assert.equal(await state(driver(), [first]), ['pending'], 'nothing of it was applied');

  const corrected = defineMigration({ id: 'm1_unique', up: (m) => { m.dropField('items', 'tokens'); } });
  const fixed = createDatabase({ driver: driver(), repositories: { items: itemsPlain }, schemaMode: 'off' });
  const out = await migrate(fixed, { migrations: [corrected] });
  assert.equal(out.applied, ['m1_unique']);
  assert.equal(out.resumed, []);
  assert.equal((await fixed.items.find({})).map((r) => r.name), ['a', 'a']);
  await fixed.close();
  assert.equal(await state(driver(), [corrected]), ['applied']);
}

const usersV1 = defineRepository('users', { id: f.id(), name: f.string() });
const usersV2 = defineRepository('users', { id: f.id(), name: f.string(), level: f.integer() });

const upper = (row: Record<string, unknown>) => ({ name: String(row.name).toUpperCase() });
const todo = () => ({ level: undefined /* TODO: the value of level for existing rows */ });

const withLevel = (rename: (row: Record<string, unknown>) => Record<string, unknown>, fill: () => Record<string, unknown>) => defineMigration({
  id: 'm2_level',
  up: (m) => { m.addField('users', 'level'); m.backfill('users', {}, rename); m.backfill('users', { batchSize: 2 }, fill); },
});

/**
 * A backfill left at its TODO fails before it writes anything or is
 * marked done: the migration is interrupted, not applied.
 */
export async function todoBackfillFailsBeforeWriting(driver: () => Driver): Promise<void> {
  const v1 = createDatabase({ driver: driver(), repositories: { users: usersV1 } });
  await v1.connect();
  await v1.users.createMany([{ name: 'Ann' }, { name: 'Bob' }, { name: 'Cy' }]);
  await v1.close();

  const skeleton = withLevel(upper, todo);
  const db = createDatabase({ driver: driver(), repositories: { users: usersV2 }, schemaMode: 'off' });
  const err = await migrate(db, { migrations: [skeleton] }).catch((e: unknown) => e);
  assert.instance(err, MigrationError);
  assert.match((err as Error).message, /level/);
  assert.match((err as Error).message, /TODO/);
  assert.equal((err as MigrationError).info, { id: 'm2_level', repository: 'users', field: 'level', record: (err as MigrationError).info.record }, 'info names the field');
  assert.type((err as MigrationError).info.record, 'string');
  assert.is(((err as Error).cause as MigrationError).info.field, 'level', 'the cause is kept');
  assert.equal((await db.users.find({ orderBy: { name: 'asc' } })).map((r) => [r.name, r.level ?? null]), [['ANN', null], ['BOB', null], ['CY', null]], 'the first backfill ran, the TODO one wrote nothing');
  await db.close();
  assert.equal(await state(driver(), [skeleton]), ['interrupted'], 'not applied: the TODO step is not done');
}
