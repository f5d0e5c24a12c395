import * as assert from 'uvu/assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, defineRepository, f, MigrationError, type Driver } from '@chatcore/core';
import { createMigration, holdsTodo, migrate, migrationStatus } from '../../src/index.js';

const here = join(fileURLToPath(import.meta.url), '..', '..');

const usersV1 = defineRepository('users', { id: f.id(), name: f.string() });
const usersV2 = defineRepository('users', { id: f.id(), name: f.string(), plan: f.enum(['free', 'pro']) });

/**
 * The documented workflow on a table with one row: the repository gains a
 * required field, `createMigration` writes a `.mjs` skeleton whose backfill
 * is a TODO, `migrate` refuses it before anything runs (the table keeps its
 * columns, the migration stays pending), and once the TODO is replaced the
 * migration applies and the row is backfilled.
 */
export async function todoSkeletonIsRefusedThenApplies(driver: () => Driver): Promise<void> {
  const v1 = createDatabase({ driver: driver(), repositories: { users: usersV1 } });
  await v1.connect();
  await v1.users.create({ name: 'Ann' });
  await v1.close();

  // Next to the tests, so the skeleton's import of @chatcore/migrate resolves.
  const dir = await mkdtemp(join(here, '.generated-'));
  const dirs = [dir];
  try {
    const db = createDatabase({ driver: driver(), repositories: { users: usersV2 }, schemaMode: 'off' });
    const { path, id } = await createMigration(db, { dir, name: 'add_plan', extension: 'mjs' });
    const skeleton = await readFile(path, 'utf8');
    assert.match(skeleton, /plan: undefined \/\* TODO: the value of plan for existing rows \*\//);
    assert.ok(holdsTodo(skeleton), 'holdsTodo sees the placeholder');

    const err = await migrate(db, { dir }).catch((e: unknown) => e);
    assert.instance(err, MigrationError);
    assert.match((err as Error).message, new RegExp(`Migration ${id} still holds the TODO that migrate create wrote for users\\.plan: replace each TODO`));
    assert.match((err as Error).message, /Nothing of it was applied/);
    assert.is((err as MigrationError).info.id, id);
    assert.is((err as MigrationError).info.repository, 'users');
    assert.is((err as MigrationError).info.field, 'plan');
    const columns = (await db.driver.migrations!.describe(['users'])).get('users')!.columns;
    assert.equal([...columns.keys()].sort(), ['id', 'name'], 'the table is unchanged');
    assert.equal((await migrationStatus(db, { dir })).map((s) => s.state), ['pending']);

    // The edited file, in a folder of its own: this process already imported (and cached) the first one.
    const edited = await mkdtemp(join(here, '.generated-'));
    dirs.push(edited);
    const filled = skeleton.replace(/plan: undefined \/\*[^*]*\*\//, "plan: 'free'");
    assert.not.ok(holdsTodo(filled), 'nothing left to fill in');
    await writeFile(join(edited, basename(path)), filled);
    const out = await migrate(db, { dir: edited });
    assert.equal(out.applied, [id]);
    assert.equal((await db.users.find({})).map((r) => [r.name, r.plan]), [['Ann', 'free']]);
    assert.equal((await migrationStatus(db, { dir: edited })).map((s) => s.state), ['applied']);
    await db.close();
  } finally {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
}
