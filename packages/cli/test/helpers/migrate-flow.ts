import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'uvu';
import { BIN, FIXTURE_REPOSITORIES, jsonOf, runCli, show, type CliRun } from './run-cli.js';

export const FIXTURE_REPOSITORIES_V2 = join(fileURLToPath(import.meta.url), '..', '..', 'fixtures', 'repositories-v2.mjs');
const FIXTURE_REPOSITORIES_V3 = join(fileURLToPath(import.meta.url), '..', '..', 'fixtures', 'repositories-v3.mjs');

/**
 * Make `dir` look like an application folder: its node_modules are the cli
 * package's, so a generated migration's `import '@chatcore/migrate'` resolves.
 */
export function linkNodeModules(dir: string): void {
  symlinkSync(join(fileURLToPath(import.meta.url), '..', '..', '..', 'node_modules'), join(dir, 'node_modules'), 'dir');
}

/**
 * The `chatcore migrate` flow, the same on every backend: `dir` holds a
 * chatcore.yaml for an empty database; `env` what it needs.
 */
export function migrateFlow(test: Test, dir: string, env: NodeJS.ProcessEnv): void {
  const v1 = { ...env, CHATCORE_REPOSITORIES: FIXTURE_REPOSITORIES };
  const v2 = { ...env, CHATCORE_REPOSITORIES: FIXTURE_REPOSITORIES_V2 };
  const cli = (args: string[], e: NodeJS.ProcessEnv = v2) => runCli(args, { cwd: dir, env: e, timeoutMs: 240_000 });
  const migrations = join(dir, 'migrations');
  let first = '';

  test('migrate: usage errors exit 2 (bad name, no name, unknown --ext); --help exits 0', async () => {
    const bad = await cli(['migrate', 'create', 'add nickname!']);
    assert.is(bad.code, 2, show(bad));
    assert.match(bad.stderr, /letters, digits, _ or -/);
    const none = await cli(['migrate', 'create']);
    assert.is(none.code, 2, show(none));
    assert.match(none.stderr, /missing required argument 'name'/);
    const ext = await cli(['migrate', 'create', 'x', '--ext', 'cjs']);
    assert.is(ext.code, 2, show(ext));
    assert.match(ext.stderr, /Allowed choices are ts, mjs, js/);
    assert.not.ok(existsSync(migrations), 'no file was written');
    const help = await cli(['migrate', 'up', '--help']);
    assert.is(help.code, 0, show(help));
    assert.match(help.stdout, /Usage: chatcore migrate up \[options\]/);
    assert.match(help.stdout, /--dir <folder>/);
  });

  test('migrate: an empty folder on a new database: status exit 0, up creates the tables, a second up is a no-op', async () => {
    const status = await cli(['migrate', 'status'], v1);
    assert.is(status.code, 0, show(status));
    assert.match(status.stdout, /No migrations in .*migrations \(the folder does not exist\)/);
    const up = await cli(['migrate', 'up', '--json'], v1);
    assert.is(up.code, 0, show(up));
    const body = jsonOf<{ ok: boolean; applied: string[]; statements: string[] }>(up);
    assert.equal(body.applied, []);
    assert.ok(body.statements.includes('create table users'), show(up));
    const again = await cli(['migrate', 'up'], v1);
    assert.is(again.code, 0, show(again));
    assert.match(again.stdout, /^Nothing to do: every migration in .* is applied and the schema matches\.$/m);
    const verify = await cli(['schema', 'verify'], v1);
    assert.is(verify.code, 0, show(verify));
  });

  test('migrate create on a changed schema writes the skeleton and prints its path', async () => {
    const drift = await cli(['schema', 'verify']);
    assert.is(drift.code, 1, show(drift));
    const created = await cli(['migrate', 'create', 'add_nickname', '--ext', 'mjs']);
    assert.is(created.code, 0, show(created));
    const path = created.stdout.split('\n')[0]!;
    assert.match(path, /\/migrations\/\d{14}_add_nickname\.mjs$/);
    assert.equal(readdirSync(migrations), [path.slice(migrations.length + 1)]);
    assert.match(readFileSync(path, 'utf8'), /m\.addField\('users', 'nickname'\);/);
    assert.match(created.stdout, /1 step\(s\) to review/);
    first = path.slice(migrations.length + 1, -'.mjs'.length);
  });

  test('migrate status lists it pending: exit 0, and exit 1 with --check', async () => {
    const status = await cli(['migrate', 'status']);
    assert.is(status.code, 0, show(status));
    assert.match(status.stdout, new RegExp(`pending +${first}\\n`));
    const check = await cli(['migrate', 'status', '--check', '--json']);
    assert.is(check.code, 1, show(check));
    const body = jsonOf<{ ok: boolean; pending: string[]; migrations: Array<{ id: string; state: string; description: string[] }> }>(check);
    assert.is(body.ok, false);
    assert.equal(body.pending, [first]);
    assert.equal(body.migrations, [{ id: first, state: 'pending', description: ['addField users.nickname'] }]);
    const refused = await cli(['migrate', 'create', 'next', '--ext', 'mjs']);
    assert.is(refused.code, 1, show(refused));
    assert.match(refused.stderr, new RegExp(`Apply the pending migrations before planning the next one: ${first}`));
    assert.is(readdirSync(migrations).length, 1, 'no second file');
  });

  test('migrate up applies it (exit 0, its id on stdout, nothing on stderr without a terminal); a second up is a no-op', async () => {
    const up = await cli(['migrate', 'up']);
    assert.is(up.code, 0, show(up));
    assert.match(up.stdout, new RegExp(`^applied ${first}$`, 'm'));
    assert.is(up.stderr, '');
    const verify = await cli(['schema', 'verify']);
    assert.is(verify.code, 0, show(verify));
    const again = await cli(['migrate', 'up', '--json']);
    assert.is(again.code, 0, show(again));
    assert.equal(jsonOf<{ applied: string[]; statements: string[] }>(again), { ok: true, dir: migrations, applied: [], resumed: [], edited: [], statements: [] });
    const status = jsonOf<{ ok: boolean; migrations: Array<{ state: string; appliedAt?: string }> }>(await cli(['migrate', 'status', '--check', '--json']));
    assert.is(status.ok, true);
    assert.is(status.migrations[0]!.state, 'applied');
    assert.ok(status.migrations[0]!.appliedAt);
  });

  test('migrate up on a terminal reports progress on stderr', async () => {
    if (!existsSync('/usr/bin/script')) return; // util-linux script gives the command a pseudo-terminal
    const created = await cli(['migrate', 'create', 'data_only', '--ext', 'mjs']);
    assert.is(created.code, 0, show(created));
    assert.match(created.stdout, /The migration has no steps: the database matches the repositories, or lacks only what `chatcore migrate up` creates/);
    const id = created.stdout.split('\n')[0]!.replace(/^.*\/|\.mjs$/g, '');
    const run: CliRun = await runCli(['-qec', `${process.execPath} ${BIN} migrate up`, '/dev/null'], { cwd: dir, env: v2, command: '/usr/bin/script' });
    assert.is(run.code, 0, show(run));
    assert.match(run.stdout, new RegExp(`${id}: applied`), 'the progress line');
    assert.match(run.stdout, new RegExp(`applied ${id}`), 'the result');
  });

  test('an applied migration edited afterwards: status and up exit 1 naming it, nothing runs', async () => {
    const file = join(migrations, `${first}.mjs`);
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace("m.addField('users', 'nickname');", "m.addField('users', 'nickname');\n    m.addIndex('users', ['name']);"));
    const status = await cli(['migrate', 'status']);
    assert.is(status.code, 1, show(status));
    assert.match(status.stdout, new RegExp(`modified +${first}.*edited since it was applied`));
    assert.not.match(status.stdout, /Everything is applied/, 'a modified migration is not reported as applied');
    const up = await cli(['migrate', 'up']);
    assert.is(up.code, 1, show(up));
    assert.match(up.stderr, new RegExp(`Migration ${first} was applied with other steps than the code has now`));
    const json = await cli(['migrate', 'up', '--json']);
    assert.is(json.code, 1, show(json));
    const body = jsonOf<{ ok: boolean; error: { code: string; message: string } }>(json);
    assert.is(body.ok, false);
    assert.match(body.error.message, new RegExp(first));
    const plan = jsonOf<{ additive: unknown[]; destructive: unknown[] }>(await cli(['schema', 'plan', '--json']));
    assert.equal([plan.additive, plan.destructive], [[], []], 'no index was created');
    writeFileSync(file, original);
    const restored = await cli(['migrate', 'status', '--check']);
    assert.is(restored.code, 0, show(restored));
    assert.match(restored.stdout, /Everything is applied/);
  });

  test('migrate up refuses a skeleton whose TODO is unfilled (exit 1, nothing applied); filled in, it applies', async () => {
    const v3 = { ...env, CHATCORE_REPOSITORIES: FIXTURE_REPOSITORIES_V3 };
    const created = await cli(['migrate', 'create', 'add_plan', '--ext', 'mjs'], v3);
    assert.is(created.code, 0, show(created));
    const path = created.stdout.split('\n')[0]!;
    const id = path.slice(migrations.length + 1, -'.mjs'.length);
    const skeleton = readFileSync(path, 'utf8');
    assert.match(skeleton, /plan: undefined \/\* TODO: the value of plan for existing rows \*\//);
    const up = await cli(['migrate', 'up'], v3);
    assert.is(up.code, 1, show(up));
    assert.match(up.stderr, new RegExp(`Migration ${id} still holds the TODO that migrate create wrote for users\\.plan: replace each TODO`));
    const status = jsonOf<{ pending: string[] }>(await cli(['migrate', 'status', '--json'], v3));
    assert.equal(status.pending, [id], 'nothing of it was applied');
    const verify = await cli(['schema', 'verify'], v3);
    assert.is(verify.code, 1, `users.plan is still missing: ${show(verify)}`);
    writeFileSync(path, skeleton.replace(/plan: undefined \/\*[^*]*\*\//, "plan: 'free'"));
    const again = await cli(['migrate', 'up'], v3);
    assert.is(again.code, 0, show(again));
    assert.match(again.stdout, new RegExp(`^applied ${id}$`, 'm'));
    const check = await cli(['migrate', 'status', '--check'], v3);
    assert.is(check.code, 0, show(check));
    assert.is((await cli(['schema', 'verify'], v3)).code, 0);
  });

  test('TypeScript migrations: run where Node imports them, else exit 2 saying what to do', async () => {
    const created = await cli(['migrate', 'create', 'typed', '--dir', 'ts-migrations', '--ext', 'ts']);
    assert.is(created.code, 0, show(created));
    assert.match(created.stdout, /ts-migrations\/\d{14}_typed\.ts\n/);
    // Without --ext: TypeScript only where this Node can import it.
    const plain = await cli(['migrate', 'create', 'plain', '--dir', 'default-migrations']);
    assert.is(plain.code, 0, show(plain));
    const ext = (process.features as { typescript?: unknown }).typescript ? 'ts' : 'mjs';
    assert.match(plain.stdout, new RegExp(`default-migrations/\\d{14}_plain\\.${ext}\n`));
    const status = await cli(['migrate', 'status', '--dir', 'ts-migrations']);
    if ((process.features as { typescript?: unknown }).typescript) {
      assert.is(status.code, 0, show(status));
      assert.match(status.stdout, /pending +\d{14}_typed/);
    } else {
      assert.is(status.code, 2, show(status));
      assert.match(status.stderr, /cannot import the TypeScript migrations in .*ts-migrations: compile them and pass --dir/);
    }
  });
}
