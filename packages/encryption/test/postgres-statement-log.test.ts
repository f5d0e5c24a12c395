import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { requireService, isReachable } from '@chatcore/core/testing';
import { postgres } from '@chatcore/postgres';
import { plaintextScenario } from './helpers/plaintext-scenario.js';
import { findLeaks } from './helpers/plaintext-scan.js';

// A throw-away PostgreSQL cluster with log_statement=all (parameters are
// logged too), so the server's own log can be searched for plaintext.
await requireService('postgres');
const canCluster = existsSync('/usr/bin/pg_createcluster') && existsSync('/etc/postgresql') && process.getuid?.() === 0;
if (!canCluster) {
  const reason = 'pg_createcluster (as root) is not available to start a logging test cluster';
  if (process.env.CHATCORE_REQUIRE_SERVICES === '1') throw new Error(reason);
  console.log(`CHATCORE_SKIP ${reason}`);
  process.exit(0);
}
const version = readdirSync('/etc/postgresql').sort().at(-1)!;
const name = `chatcore_enc_${randomBytes(3).toString('hex')}`;
let port = 0;
for (let i = 0; i < 20 && !port; i++) {
  const p = 20000 + Math.floor(Math.random() * 30000);
  if (!(await isReachable('127.0.0.1', p, 200))) port = p;
}
const logFile = `/var/log/postgresql/postgresql-${version}-${name}.log`;
const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
run('pg_createcluster', [version, name, '-p', String(port), '-o', 'log_statement=all', '-o', 'log_parameter_max_length=-1', '-o', 'log_min_error_statement=error',
  '--', '--auth-host=trust', '--auth-local=trust']);
run('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'start']);

test('PostgreSQL statement log (log_statement=all, parameters included) holds no sensitive value', async () => {
  const driver = postgres({ url: `postgres://postgres@127.0.0.1:${port}/postgres` });
  const { secrets } = await plaintextScenario(driver, 'log', async () => readFileSync(logFile, 'utf8'));
  const log = readFileSync(logFile, 'utf8');
  assert.match(log, /parameters: \$1 = /, 'bind parameters are logged');
  assert.match(log, /insert into/i);
  assert.match(log, /email_bidx/);
  assert.equal(findLeaks(log, secrets), []);
});

test.after(() => {
  run('pg_dropcluster', ['--stop', version, name]);
  rmSync(logFile, { force: true });
});
test.run();
