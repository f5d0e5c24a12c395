import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, type Driver } from '@chatcore/core';
import { defineMigration, migrate, migrationStatus, type Migration } from '../../src/index.js';

const usersV1 = defineRepository('users', { id: f.id(), name: f.string() });
const usersV2 = defineRepository('users', { id: f.id(), name: f.string(), level: f.integer() });
const probe = defineRepository('probe', { id: f.id() });

/** `driver` whose migration backend loses the first `finish()` call: the process died right after the last schema change committed. */
function losingFirstFinish(driver: Driver): Driver {
  const backend = driver.migrations!;
  let lost = false;
  const migrations = new Proxy(backend, {
    get(target, key, receiver) {
      if (key === 'finish' && !lost) {
        return () => {
          lost = true;
          return Promise.reject(new Error('the process died before finish()'));
        };
      }
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return new Proxy(driver, { get: (target, key) => (key === 'migrations' ? migrations : Reflect.get(target, key, target) as unknown) });
}

const status = async (driver: Driver, migrations: Migration[]) => {
  const db = createDatabase({ driver, repositories: { probe } });
  const out = (await migrationStatus(db, { migrations })).map((s) => s.state);
  await db.close();
  return out;
};

/**
 * A migration whose last schema change committed but whose `finish()` was
 * lost (the process died between the two) is interrupted; the next run
 * records it as applied without running any of its steps again (a data
 * step run twice would count to 2), with and without a data step.
 */
export async function lostFinishIsRecorded(driver: () => Driver): Promise<void> {
  const v1 = createDatabase({ driver: driver(), repositories: { users: usersV1 } });
  await v1.connect();
  await v1.users.createMany([{ name: 'ann' }, { name: 'bob' }]);
  await v1.close();

  const level = defineMigration({ id: 'm1_level', up: (m) => { m.addField('users', 'level'); m.backfill('users', {}, (row) => ({ level: Number(row.level ?? 0) + 1 })); } });
  const renamed = defineMigration({ id: 'm2_rename', up: (m) => { m.renameField('users', 'level', 'rank'); } });
  for (const migration of [level, renamed]) {
    const repositories = { users: migration === level ? usersV2 : defineRepository('users', { id: f.id(), name: f.string(), rank: f.integer() }) };
    const crashing = createDatabase({ driver: losingFirstFinish(driver()), repositories, schemaMode: 'off' });
    const err = await migrate(crashing, { migrations: [migration] }).catch((e: unknown) => e);
    await crashing.close();
    assert.match(String(err), /died before finish/, migration.id);
    assert.equal(await status(driver(), [migration]), ['interrupted'], `${migration.id}: started, not finished`);

    const next = createDatabase({ driver: driver(), repositories, schemaMode: 'off' });
    const out = await migrate(next, { migrations: [migration] });
    assert.equal([...out.applied, ...out.resumed].includes(migration.id), true, `${migration.id}: recorded on the next run`);
    const field = migration === level ? 'level' : 'rank';
    assert.equal((await next.users.find({ orderBy: { name: 'asc' } })).map((r) => [r.name, (r as Record<string, unknown>)[field]]), [['ann', 1], ['bob', 1]], `${migration.id}: no step ran twice`);
    await next.close();
    assert.equal(await status(driver(), [migration]), ['applied'], migration.id);
  }
  const db = createDatabase({ driver: driver(), repositories: { users: defineRepository('users', { id: f.id(), name: f.string(), rank: f.integer() }) }, schemaMode: 'verify' });
  await db.connect();
  assert.equal((await db.users.find({ orderBy: { name: 'asc' } })).map((r) => [r.name, r.rank]), [['ann', 1], ['bob', 1]]);
  await db.close();
}
