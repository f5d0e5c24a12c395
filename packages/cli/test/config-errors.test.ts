import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_REPOSITORIES, jsonOf, runCli, show } from './helpers/run-cli.js';

// Configuration mistakes found only when the stack is built: exit 2 (nothing was done), the setting named, no secret shown.

const dir = mkdtempSync(join(tmpdir(), 'chatcore-cli-config-'));
const PASSWORD = 'pw-never-printed-91c2';
const env = { K1: randomBytes(32).toString('base64'), CHATCORE_REPOSITORIES: FIXTURE_REPOSITORIES };

test('a PostgreSQL url that does not parse (port not a number) exits 2 naming url, without the password', async () => {
  writeFileSync(join(dir, 'chatcore.yaml'), `database:\n  backend: postgres\n  url: postgres://app:${PASSWORD}@127.0.0.1:54x2/chat\nencryption:\n  root_key: \${K1}\n`);
  for (const args of [['stats'], ['schema', 'plan'], ['migrate', 'status']]) {
    const run = await runCli(args, { cwd: dir, env, timeoutMs: 120_000 });
    const what = `${args.join(' ')}: ${show(run)}`;
    assert.is(run.code, 2, what);
    assert.match(run.stderr, /^chatcore: postgres: url is not a valid URL: check the port/m, what);
    assert.not.match(run.stderr, /SQLSTATE|ERR_INVALID_URL/, what);
    assert.not.match(run.stdout + run.stderr, new RegExp(PASSWORD), what);
  }
  const json = await runCli(['health', '--json'], { cwd: dir, env, timeoutMs: 120_000 });
  assert.is(json.code, 2, show(json));
  const body = jsonOf<{ ok: boolean; error: { code: string; message: string } }>(json);
  assert.equal([body.ok, body.error.code], [false, 'CONFIG'], show(json));
  assert.not.match(json.stdout, new RegExp(PASSWORD));
});

test('a PGlite data_dir that is not a data directory (other files, or a regular file) exits 1 naming it and what to check', async () => {
  const junk = join(dir, 'junk');
  mkdirSync(junk);
  writeFileSync(join(junk, 'PG_VERSION'), 'not a version\n');
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  for (const dataDir of [junk, file]) {
    writeFileSync(join(dir, 'chatcore.yaml'), `database:\n  backend: pglite\n  data_dir: ${dataDir}\nencryption:\n  root_key: \${K1}\n`);
    const run = await runCli(['stats'], { cwd: dir, env, timeoutMs: 120_000 });
    assert.is(run.code, 1, show(run));
    assert.match(run.stderr, new RegExp(`^chatcore: PGlite could not open the data directory ${dataDir} \\(.+\\): it is not a PGlite data directory, or it is damaged\\. Check data_dir`), show(run));
    assert.not.match(run.stderr, /rejected the statement/, show(run));
  }
  assert.equal(readdirSync(junk), ['PG_VERSION'], 'nothing was written into the folder');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
