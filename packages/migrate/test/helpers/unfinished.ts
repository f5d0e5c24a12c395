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
const lower = (row: Record<string, unknown>) => ({ name: String(row.name).toLowerCase() });
// A skeleton's backfill as a loader that drops comments (tsx) hands it over: its TODO marker is gone, the undefined stays.
const todo = () => ({ level: undefined });
const filled = () => ({ level: 1 });

const withLevel = (rename: (row: Record<string, unknown>) => Record<string, unknown>, fill: () => Record<string, unknown>, field = 'level') => defineMigration({
  id: 'm2_level',
  up: (m) => { m.addField('users', field); m.backfill('users', {}, rename); m.backfill('users', { batchSize: 2 }, fill); },
});

const refusedAs = async (driver: () => Driver, migration: Migration, pattern: RegExp) => {
  const db = createDatabase({ driver: driver(), repositories: { users: usersV2 }, schemaMode: 'off' });
  const err = await migrate(db, { migrations: [migration] }).catch((e: unknown) => e);
  assert.instance(err, MigrationError);
  assert.match((err as Error).message, pattern);
  assert.equal((await db.users.find({ orderBy: { name: 'asc' } })).map((r) => [r.name, r.level ?? null]), [['ANN', null], ['BOB', null], ['CY', null]], 'nothing ran');
  await db.close();
  assert.equal(await state(driver(), [migration]), ['modified']);
};

/**
 * A backfill left at its TODO fails before it writes anything or is
 * marked done: the migration is interrupted, not applied. Edits to the
 * steps that ran are refused; once the TODO is filled in, it resumes with
 * the edit and ends applied.
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

  // Steps that already ran may not change: the backfill that wrote its rows, a step of the expand phase.
  await refusedAs(driver, withLevel(lower, filled), /was started with other steps than the code has now .*: step 2 \(backfill users\) changed, and it already wrote 3 row\(s\)/);
  await refusedAs(driver, withLevel(upper, filled, 'name'), /step 1 \(addField users\.name\) changed, and its expand phase committed/);

  // The TODO filled in: only the step that failed before writing changed, so the migration resumes with it.
  const fixed = withLevel(upper, filled);
  assert.equal(await state(driver(), [fixed]), ['interrupted']);
  const events: string[] = [];
  const resumed = createDatabase({ driver: driver(), repositories: { users: usersV2 }, schemaMode: 'off' });
  const out = await migrate(resumed, { migrations: [fixed], onProgress: (e) => events.push(e.message) });
  assert.equal([out.applied, out.resumed, out.edited], [['m2_level'], ['m2_level'], ['m2_level']]);
  assert.ok(events.some((e) => /edited since it started, in data steps that had not written a batch: resuming with the edit \(checksum \w+ recorded\)/.test(e)), events.join('\n'));
  assert.equal((await resumed.users.find({ orderBy: { name: 'asc' } })).map((r) => [r.name, r.level]), [['ANN', 1], ['BOB', 1], ['CY', 1]], 'names upper-cased once, levels filled');
  await resumed.close();
  assert.equal(await state(driver(), [fixed]), ['applied']);
}
