import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { FIXTURE_REPOSITORIES, jsonOf, runCli, show } from './helpers/run-cli.js';
import { FIXTURE_REPOSITORIES_V2 } from './helpers/migrate-flow.js';
import { appFolder } from './helpers/app-folder.js';

// `chatcore migrate` (the built binary) on the Firestore emulator, in a project of its own.

const emulator = await useFirestoreEmulator();
const project = `chatcore-cli-migrate-${randomBytes(4).toString('hex')}`;
const dir = appFolder('chatcore-cli-migrate-fs-', ['backend: firestore', `project_id: ${project}`, `emulator_host: ${emulator.host}`]);
const env = { K1: randomBytes(32).toString('base64') };
const v1 = { ...env, CHATCORE_REPOSITORIES: FIXTURE_REPOSITORIES };
const v2 = { ...env, CHATCORE_REPOSITORIES: FIXTURE_REPOSITORIES_V2 };
const cli = (args: string[], e: NodeJS.ProcessEnv = v2) => runCli(args, { cwd: dir, env: e, timeoutMs: 240_000 });
const migrations = join(dir, 'migrations');

test('migrate on Firestore: create plans the new field, status reports it pending, up applies it once, an edit is refused', async () => {
  // Release 1 has documents (Firestore has no schema: the plan reads the fields of stored documents).
  const seed = await cli(['migrate', 'up'], v1);
  assert.is(seed.code, 0, show(seed));
  const { createDatabase } = await import('@chatcore/core');
  const { firestore } = await import('@chatcore/firestore');
  const { encryption } = await import('@chatcore/encryption');
  const { repositories } = (await import(FIXTURE_REPOSITORIES)) as { repositories: Record<string, never> };
  const db = createDatabase({ driver: firestore({ projectId: project, emulatorHost: emulator.host }), repositories, plugins: [encryption({ keys: [{ id: 'k1', key: env.K1 }] })] });
  await db.connect();
  await (db as unknown as { users: { create(v: unknown): Promise<unknown> } }).users.create({ name: 'Ada', email: 'ada@example.com' });
  await db.close();

  const created = await cli(['migrate', 'create', 'add_nickname', '--ext', 'mjs']);
  assert.is(created.code, 0, show(created));
  const path = created.stdout.split('\n')[0]!;
  assert.equal(readdirSync(migrations), [path.slice(migrations.length + 1)]);
  const source = readFileSync(path, 'utf8');
  assert.match(source, /m\.addField\('users', 'nickname'\);/);
  assert.not.match(source, /addIndex|addUnique|dropField|changeType/, source);
  // An optional field needs no value from the user: no TODO, and the message does not ask to edit one.
  assert.not.match(source, /TODO/, source);
  assert.match(created.stdout, /1 step\(s\) to review; check them, then run `chatcore migrate up`\./, show(created));
  const id = path.slice(migrations.length + 1, -'.mjs'.length);

  const check = await cli(['migrate', 'status', '--check', '--json']);
  assert.is(check.code, 1, show(check));
  assert.equal(jsonOf<{ pending: string[] }>(check).pending, [id]);

  const up = await cli(['migrate', 'up']);
  assert.is(up.code, 0, show(up));
  assert.match(up.stdout, new RegExp(`^applied ${id}$`, 'm'));
  const again = await cli(['migrate', 'up', '--json']);
  assert.is(again.code, 0, show(again));
  assert.equal(jsonOf<{ applied: string[] }>(again).applied, []);
  const status = await cli(['migrate', 'status', '--check']);
  assert.is(status.code, 0, show(status));

  writeFileSync(path, source.replace("m.addField('users', 'nickname');", "m.addField('users', 'nickname');\n    m.addIndex('users', ['name']);"));
  const edited = await cli(['migrate', 'up']);
  assert.is(edited.code, 1, show(edited));
  assert.match(edited.stderr, new RegExp(`Migration ${id} was applied with other steps than the code has now`));
});

test('a field some documents lack: schema verify names it, migrate create plans it, and after migrate up verify passes', async () => {
  const own = `chatcore-cli-lacking-${randomBytes(4).toString('hex')}`;
  const folder = appFolder('chatcore-cli-lacking-fs-', ['backend: firestore', `project_id: ${own}`, `emulator_host: ${emulator.host}`]);
  const run = (args: string[], e: NodeJS.ProcessEnv = v2) => runCli(args, { cwd: folder, env: e, timeoutMs: 240_000 });
  try {
    assert.is((await run(['migrate', 'up'], v1)).code, 0);
    const { createDatabase } = await import('@chatcore/core');
    const { firestore } = await import('@chatcore/firestore');
    const { encryption } = await import('@chatcore/encryption');
    type Users = { users: { create(v: unknown): Promise<unknown> } };
    // A document of release 1, then one written by release 2 (which declares `nickname`) before any migration.
    for (const [file, values] of [[FIXTURE_REPOSITORIES, { name: 'Ada', email: 'ada@example.com' }], [FIXTURE_REPOSITORIES_V2, { name: 'Bob', email: 'bob@example.com', nickname: 'b' }]] as const) {
      const { repositories } = (await import(file)) as { repositories: Record<string, never> };
      const db = createDatabase({ driver: firestore({ projectId: own, emulatorHost: emulator.host }), repositories, plugins: [encryption({ keys: [{ id: 'k1', key: env.K1 }] })] });
      await db.connect();
      await (db as unknown as Users).users.create(values);
      await db.close();
    }
    const verify = await run(['schema', 'verify', '--json']);
    assert.is(verify.code, 1, show(verify));
    const drift = jsonOf<{ ok: boolean; destructive: string[] }>(verify);
    assert.is(drift.ok, false);
    assert.equal(drift.destructive.filter((d) => d.includes('nickname')), [
      'users.nickname (users.nickname) is missing from 1 of 2 existing documents (written before it was declared), so a null test or an order by nickname leaves them out; add it with a migration (chatcore migrate create plans the addField that stores it)',
    ]);
    // health runs the same check: schema down, exit 1.
    const health = await run(['health']);
    assert.is(health.code, 1, show(health));
    assert.match(health.stdout, /down +schema/);
    const created = await run(['migrate', 'create', 'store_nickname', '--ext', 'mjs']);
    assert.is(created.code, 0, show(created));
    const source = readFileSync(created.stdout.split('\n')[0]!, 'utf8');
    assert.match(source, "m.addField('users', 'nickname'); // 1 stored record(s) lack it");
    assert.is((await run(['migrate', 'up'])).code, 0);
    const after = await run(['schema', 'verify']);
    assert.is(after.code, 0, show(after));
    const healthy = await run(['health']);
    assert.is(healthy.code, 0, show(healthy));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test('schema plan on Firestore writes the composite indexes with --firestore-indexes and lists them in --json', async () => {
  const file = join(dir, 'firestore.indexes.json');
  const plan = await cli(['schema', 'plan', '--firestore-indexes', file]);
  assert.is(plan.code, 0, show(plan));
  const written = JSON.parse(readFileSync(file, 'utf8')) as { indexes: unknown[] };
  assert.ok(Array.isArray(written.indexes), 'an indexes list');
  assert.match(plan.stdout, new RegExp(`Wrote ${written.indexes.length} composite index\\(es\\) to `));
  const json = await cli(['schema', 'plan', '--json']);
  assert.is(json.code, 0, show(json));
  assert.equal(jsonOf<{ artifacts: { firestoreIndexes: unknown } }>(json).artifacts.firestoreIndexes, written);
  const hint = await cli(['schema', 'plan']);
  assert.match(hint.stdout, /chatcore schema plan --firestore-indexes firestore\.indexes\.json/);
});

test('schema plan --firestore-indexes into a folder that does not exist exits 2 naming the file', async () => {
  const file = join(dir, 'no-such-folder', 'firestore.indexes.json');
  const run = await cli(['schema', 'plan', '--firestore-indexes', file, '--json']);
  assert.is(run.code, 2, show(run));
  const body = jsonOf<{ ok: boolean; error: { code: string; message: string } }>(run);
  assert.equal([body.ok, body.error.code], [false, 'FILE'], show(run));
  assert.is(body.error.message, `Cannot write the index file ${file} (ENOENT): check that its folder exists and is writable; pass --firestore-indexes a path in a writable folder.`);
});

test.run();
