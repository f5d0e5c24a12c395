import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, SchemaDriftError } from '@chatcore/core';
import { sqlDriver } from '@chatcore/sql';
import { defaultTemplateCache, PgliteExecutor, startInMemory } from '@chatcore/pglite';
import { encryption } from '@chatcore/encryption';
import { createMigration, migrate, migrationCheck, planMigration } from '../src/index.js';

const client = await startInMemory(defaultTemplateCache());
const driver = () => sqlDriver({ name: 'pglite', executor: new PgliteExecutor({ client }) });
const keys = () => encryption({ keys: [{ id: 'k1', key: createHash('sha256').update('migrate-plan-k1').digest('base64') }], rowAuthentication: 'off' });
// Inside the package, so that a generated file's `import '@chatcore/migrate'` resolves.
const here = fileURLToPath(new URL('.', import.meta.url));

const usersV1 = defineRepository('members', { id: f.id(), name: f.string(), email: f.string().sensitive({ searchable: true }), note: f.string().optional() });
const usersV2 = defineRepository('members', { id: f.id(), displayName: f.string(), email: f.string().sensitive({ searchable: true }), nickname: f.string().optional(), age: f.integer().optional().indexed() });

test('migrate create writes a skeleton that never guesses a rename, and applied it makes verify clean', async () => {
  const v1 = createDatabase({ driver: driver(), repositories: { members: usersV1 }, plugins: [keys()] });
  await v1.connect();
  await v1.members.createMany([{ name: 'Ada', email: 'ada@example.com', note: 'x' }, { name: 'Bob', email: 'bob@example.com' }]);
  await v1.close();

  const dir = await mkdtemp(join(here, '.generated-'));
  try {
    const db = createDatabase({ driver: driver(), repositories: { members: usersV2 }, plugins: [keys(), migrationCheck({ dir })], schemaMode: 'verify' });
    const plan = await planMigration(db, { id: 'preview' });
    assert.equal(plan.changes.map((c) => `${c.kind} ${c.field ?? ''}`).sort(), ['addField displayName', 'addField displayName', 'addField age', 'addField nickname', 'addIndex age', 'dropField name', 'dropField note'].sort());
    assert.is(plan.questions.length, 1);
    assert.match(plan.questions[0]!, /m\.renameField\('members', 'name', 'displayName'\)/);

    const created = await createMigration(db, { dir, name: 'members_v2', now: new Date('2026-01-02T03:04:05Z') });
    assert.is(created.id, '20260102030405_members_v2');
    const text = await readFile(created.path, 'utf8');
    assert.match(text, /QUESTION: members: name, note are gone and displayName, nickname, age are new/);
    assert.match(text, /m\.dropField\('members', 'name'\);/);
    assert.not.match(text, /^\s+m\.renameField/m, 'no rename is guessed');

    // The author chooses: displayName is name renamed; nickname and age are new; note goes.
    const edited = text
      .replace(/^.*QUESTION.*\n/m, '')
      .replace("m.addField('members', 'displayName');", "m.renameField('members', 'name', 'displayName');")
      .replace(/^.*m\.backfill\('members'.*\n/m, '')
      .replace(/^.*m\.dropField\('members', 'name'\);\n/m, '');
    await (await import('node:fs/promises')).writeFile(created.path, edited);

    const pending = await db.connect().catch((e: unknown) => e);
    assert.instance(pending, SchemaDriftError);
    assert.match((pending as Error).message, /migration 20260102030405_members_v2 is pending \(run migrate\)/);

    const result = await migrate(db, { dir });
    assert.equal(result.applied, ['20260102030405_members_v2']);
    await db.connect();
    const ada = await db.members.findOne({ where: { email: 'ada@example.com' } });
    assert.equal({ ...ada, id: undefined }, { id: undefined, displayName: 'Ada', email: 'ada@example.com', nickname: null, age: null });
    assert.equal((await planMigration(db, { id: 'next', dir })).changes, []);
    await db.close();
    assert.equal((await readdir(dir)).length, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.after(() => client.close());
test.run();
