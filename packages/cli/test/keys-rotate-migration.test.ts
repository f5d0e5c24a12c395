import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, type RepositorySchema } from '@chatcore/core';
import { pglite } from '@chatcore/pglite';
import { encryption } from '@chatcore/encryption';
import { migrate } from '@chatcore/migrate';
import { jsonOf, show } from './helpers/run-cli.js';
import { keyScenario } from './helpers/key-scenario.js';
import { linkNodeModules } from './helpers/migrate-flow.js';
import { people, peopleBeforeRename } from './fixtures/people-rename.mjs';

// keys rotate in a new process while a rename of an encrypted field is
// unfinished: the rows the migration has not rewritten hold the value under
// the old name, authenticated under the old layout. The command refuses
// before it changes any row, like keys retire.

const MODULE = join(fileURLToPath(import.meta.url), '..', 'fixtures', 'people-rename.mjs');
const s = keyScenario('rotate-rename', { repositoriesModule: MODULE });
const checkpoint = join(s.dir, 'chatcore.rotation.json');
const MIGRATION = `import { defineMigration } from '@chatcore/migrate';
export default defineMigration({ id: '010_people_contact', up: (m) => m.renameField('people', 'email', 'contact', { batchSize: 5 }) });
`;

const plugins = (keys: Array<{ id: string; key: string; active?: boolean }>) => [encryption({ keys })];

/** Every stored row, below the plugins, with the old name's columns while they exist. */
async function storedRows(withOldName: boolean): Promise<Array<Record<string, unknown>>> {
  const db = createDatabase({ driver: pglite({ dataDir: s.dataDir }), repositories: { people }, plugins: plugins([{ id: 'k1', key: s.env.K1! }]), schemaMode: 'off' });
  await db.connect();
  try {
    const schema = db.schemas.get('people')!;
    const old: RepositorySchema = { ...schema, fields: { ...schema.fields, email: { ...schema.fields.contact!, column: 'email' }, emailBidx: { ...schema.fields.contactBidx!, column: 'email_bidx' } } };
    return await db.driver.query(withOldName ? old : schema, { orderBy: [{ field: 'id', direction: 'asc' }] }, {});
  } finally {
    await db.close();
  }
}

test.before(async () => {
  linkNodeModules(s.dir);
  mkdirSync(join(s.dir, 'migrations'));
  writeFileSync(join(s.dir, 'migrations', '010_people_contact.mjs'), MIGRATION);
  const db1 = createDatabase({ driver: pglite({ dataDir: s.dataDir }), repositories: { people: peopleBeforeRename }, plugins: plugins([{ id: 'k1', key: s.env.K1! }]), schemaMode: 'apply' });
  await db1.connect();
  await db1.people.createMany(Array.from({ length: 20 }, (_, i) => ({ name: `p${i}`, email: `p${i}@example.org`, phone: `+1-555-${i}` })));
  await db1.close();
  // The migration stops after its first batches (as a killed process would): the other rows keep email.
  const db2 = createDatabase({ driver: pglite({ dataDir: s.dataDir }), repositories: { people }, plugins: plugins([{ id: 'k1', key: s.env.K1! }]), schemaMode: 'off' });
  const stop = new Error('stopped');
  const run = await migrate(db2, { dir: join(s.dir, 'migrations'), concurrency: 1, onProgress: (e) => { if ((e.rows ?? 0) >= 10) throw stop; } }).catch((e: unknown) => e);
  await db2.close();
  assert.ok(run instanceof Error && run.cause === stop, `the migration stopped part way: ${String(run)}`);
  s.writeConfig([{ id: 'k1', env: 'K1' }, { id: 'k2', env: 'K2', active: true }]);
});

test('keys rotate refuses (exit 1) before changing any row while the rename is unfinished, naming the migration', async () => {
  const before = await storedRows(true);
  assert.is(before.filter((r) => r.contact == null && typeof r.email === 'string').length, 10, 'rows the migration has not rewritten');
  const run = await s.cli(['keys', 'rotate']);
  assert.is(run.code, 1, show(run));
  assert.match(run.stdout, /Refused: migration\(s\) 010_people_contact did not finish.*chatcore migrate/);
  assert.equal(await storedRows(true), before, 'no row changed');
  assert.not.ok(existsSync(checkpoint), 'no checkpoint written');
  const json = await s.cli(['keys', 'rotate', '--json']);
  assert.is(json.code, 1, show(json));
  const body = jsonOf<{ ok: boolean; error: { code: string; message: string }; unfinishedMigrations: string[] }>(json);
  // A refusal has the shape of every --json failure: ok false, error.code, error.message.
  assert.equal([body.ok, body.error.code, body.unfinishedMigrations], [false, 'MIGRATION', ['010_people_contact']]);
  assert.match(body.error.message, /Nothing was re-encrypted/);
  const retire = await s.cli(['keys', 'retire', 'k1', '--json']);
  assert.is(retire.code, 1, show(retire));
  const refused = jsonOf<{ ok: boolean; retired: boolean; error: { code: string } }>(retire);
  assert.equal([refused.ok, refused.retired, refused.error.code], [false, false, 'MIGRATION']);
  assert.equal(await storedRows(true), before, 'no row changed');
});

test('once chatcore migrate has finished the rename, keys rotate re-encrypts every value under k2', async () => {
  const up = await s.cli(['migrate', 'up']);
  assert.is(up.code, 0, show(up));
  const run = await s.cli(['keys', 'rotate']);
  assert.is(run.code, 0, show(run));
  const status = jsonOf<{ keys: Array<{ id: string; values: number }>; unfinishedMigrations: string[] }>(await s.cli(['keys', 'status', '--json']));
  assert.equal(status.keys.map((k) => [k.id, k.values]), [['k1', 0], ['k2', 40]]);
  assert.equal(status.unfinishedMigrations, []);
  const rows = await storedRows(false);
  assert.is(rows.length, 20);
  assert.ok(rows.every((r) => typeof r.contact === 'string'));
  const retired = await s.cli(['keys', 'retire', 'k1', '--json']);
  assert.is(retired.code, 0, show(retired));
  const done = jsonOf<{ ok: boolean; retired: boolean }>(retired);
  assert.equal([done.ok, done.retired], [true, true]);
});

test.after(() => s.cleanup());
test.run();
