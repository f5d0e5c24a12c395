import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_REPOSITORIES, jsonOf, runCli, show } from './helpers/run-cli.js';
import { writeFreshAuditConfig } from './helpers/fresh-audit-flow.js';

// Commands that only read never create a database: on a PGlite data_dir that does not exist yet (or is an
// empty folder) they exit 1 naming it and `chatcore migrate up`, and leave it as it was.

const dir = mkdtempSync(join(tmpdir(), 'chatcore-cli-read-only-'));
const dataDir = join(dir, 'data');
writeFreshAuditConfig(dir, `  backend: pglite
  data_dir: ${dataDir}`);
const env = { K1: randomBytes(32).toString('base64'), CHATCORE_REPOSITORIES: FIXTURE_REPOSITORIES };
const cli = (args: string[]) => runCli(args, { cwd: dir, env, timeoutMs: 120_000 });

const READ_ONLY = [
  ['health'], ['stats'], ['schema', 'plan'], ['schema', 'verify'], ['migrate', 'status'], ['migrate', 'create', 'init', '--ext', 'mjs'],
  ['keys', 'status'], ['keys', 'add', '--id', 'k2'], ['keys', 'verify'], ['keys', 'rotate'], ['keys', 'retire', 'k1'], ['audit', 'verify'],
];

async function expectRefused(what: RegExp): Promise<void> {
  for (const args of READ_ONLY) {
    const run = await cli(args);
    const label = `${args.join(' ')}: ${show(run)}`;
    assert.is(run.code, 1, label);
    assert.is(run.stderr.trim().split('\n').length, 1, `one line: ${label}`);
    assert.match(run.stderr, new RegExp(`^chatcore: There is no database yet: the PGlite data directory ${dataDir} \\(database\\.data_dir\\) ${what.source}\\.`), label);
    assert.match(run.stderr, /run `chatcore migrate up` to create the database/, label);
  }
  const json = await cli(['schema', 'verify', '--json']);
  assert.equal(jsonOf<{ ok: boolean; error: { code: string } }>(json).error.code, 'SCHEMA', show(json));
  assert.not.ok(existsSync(join(dir, 'migrations')), 'migrate create wrote no file');
  assert.not.ok(existsSync(join(dir, 'chatcore.rotation.json')), 'keys rotate wrote no checkpoint');
}

test('a data_dir that does not exist: every read-only command exits 1 naming it and migrate up; it still does not exist', async () => {
  await expectRefused(/does not exist/);
  assert.not.ok(existsSync(dataDir), `created: ${existsSync(dataDir) ? readdirSync(dataDir).join(', ') : ''}`);
});

test('an empty data_dir folder: refused the same way, and left empty', async () => {
  mkdirSync(dataDir);
  await expectRefused(/is empty/);
  assert.equal(readdirSync(dataDir), []);
});

test('migrate up creates the database the message points to; the read-only commands then run', async () => {
  const up = await cli(['migrate', 'up']);
  assert.is(up.code, 0, show(up));
  assert.ok(existsSync(join(dataDir, 'PG_VERSION')));
  const verify = await cli(['schema', 'verify']);
  assert.is(verify.code, 0, show(verify));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
