// The service as the Docker image runs it: deployed with `pnpm deploy --prod`,
// started from that folder on PostgreSQL with Redis as the shared cache tier.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { test } from 'uvu';
import { parse as parseYaml } from 'yaml';
import * as assert from 'uvu/assert';
import { requireService } from '@chatcore/core/testing';
import { deployService, freshKeys, serviceRoot, heldRequest, startService, type RunningService } from './helpers/deployed-service.js';
import { assertDrainOnSigterm, assertErrorAnswers, assertReady, assertSmoke, assertSmokeCounted } from './helpers/service-scenario.js';

await requireService('postgres');
await requireService('redis');

const adminUrl = process.env.CHATCORE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `cc_service_${process.pid}_${Date.now().toString(36)}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`create database ${dbName}`);
const dbUrl = new URL(adminUrl);
dbUrl.pathname = `/${dbName}`;

const deployed = deployService();
const auditDir = join(deployed.dir, '..', 'audit');
mkdirSync(auditDir);
let service: RunningService | undefined;

const baseEnv = {
  ...freshKeys(),
  DATABASE_URL: dbUrl.toString(),
  REDIS_URL: process.env.CHATCORE_REDIS_URL ?? 'redis://127.0.0.1:6379',
  CHATCORE_SCHEMA_MODE: 'apply', // the migration Job's part (`chatcore migrate up`) in a real deployment
};

test('started from the deployed folder on PostgreSQL, /readyz answers 200 with the whole stack up, /metrics on its own port only', async () => {
  service = await startService(deployed.dir, { ...baseEnv, METRICS_PORT: '0', CHATCORE_AUDIT_DIR: auditDir });
  await assertReady(service, 'primary');
});

test('the smoke script creates a user, a conversation and 50 messages and pages them back', async () => {
  await assertSmoke(service!, deployed.dir);
});

test('the metrics port counts the smoke\'s calls; the public port still answers 404 for /metrics', async () => {
  await assertSmokeCounted(service!);
  assert.is((await fetch(`${service!.url}/metrics`)).status, 404);
});

test('bad input answers 400 with the error code, unknown ids 404, conflicts 409', async () => {
  await assertErrorAnswers(service!);
});

test('the email is stored encrypted: PostgreSQL holds no plaintext of it', async () => {
  const email = `secret-${Date.now()}@example.com`;
  const r = await fetch(`${service!.url}/users`, { method: 'POST', body: JSON.stringify({ name: 'Enc', handle: `enc-${Date.now().toString(36)}`, email }) });
  const user = await r.json() as { id: string; email: string };
  assert.is(user.email, email);
  const c = new pg.Client({ connectionString: dbUrl.toString() });
  await c.connect();
  const row = (await c.query('select * from users where id = $1', [user.id])).rows[0] as Record<string, unknown>;
  await c.end();
  assert.ok(row, 'the row exists');
  assert.not.ok(JSON.stringify(row).includes(email), 'no column holds the plaintext email');
});

test('SIGTERM with 16 requests in flight: all answered, exit 0, the audit trail verifies', async () => {
  await assertDrainOnSigterm(service!, auditDir);
});

test('a request that outlives the drain period: its connection is closed, the database still closes, exit 1', async () => {
  const impatient = await startService(deployed.dir, { ...baseEnv, CHATCORE_DRAIN_MS: '500', CHATCORE_AUDIT_DIR: join(auditDir, '..', 'audit-impatient') });
  const held = heldRequest(impatient.port, '/users', { name: 'Slow', handle: `slow-${Date.now().toString(36)}` });
  await held.accepted;
  const outcome = held.response.then((r) => r, (e: NodeJS.ErrnoException) => e);
  impatient.child.kill('SIGTERM');
  assert.is(await impatient.exited, 1, impatient.output());
  const error = await outcome;
  assert.instance(error, Error, 'the held request got no answer');
  assert.is((error as NodeJS.ErrnoException).code, 'ECONNRESET');
  assert.equal(impatient.logs.find((l) => l.msg === 'requests still in flight after the drain period; closing their connections')?.inFlight, 1);
  assert.equal(impatient.logs.find((l) => l.msg === 'stopped')?.clean, false);
});

test('on a database that is not migrated, schema_mode verify refuses to start; after the migration Job\'s command it starts', async () => {
  const empty = `${dbName}_empty`;
  await admin.query(`create database ${empty}`);
  try {
    const url = new URL(dbUrl);
    url.pathname = `/${empty}`;
    const refused = await startService(deployed.dir, { ...baseEnv, DATABASE_URL: url.toString(), CHATCORE_SCHEMA_MODE: 'verify', CHATCORE_AUDIT_DIR: join(auditDir, '..', 'audit-refused') }).then(
      (s) => { s.child.kill('SIGKILL'); return undefined; },
      (e: Error) => e,
    );
    assert.ok(refused, 'the service did not start');
    assert.match(refused!.message, /exited \(1\)/);
    assert.match(refused!.message, /start-up failed/);
    assert.match(refused!.message, /users/);

    // The migration Job's command, run from the deployed folder (the ConfigMap holds chatcore.yaml).
    const job = parseYaml(readFileSync(join(serviceRoot, 'deploy', 'k8s', 'base', 'migrate-job.yaml'), 'utf8')).spec.template.spec.containers[0];
    assert.is(job.command[0], 'node');
    const args = (job.args as string[]).map((a) => (a === '/etc/chatcore/chatcore.yaml' ? join(deployed.dir, 'chatcore.yaml') : a));
    const env = { ...process.env, NODE_OPTIONS: '', ...baseEnv, DATABASE_URL: url.toString(), CHATCORE_AUDIT_DIR: join(auditDir, '..', 'audit-job') };
    const migrate = spawnSync(process.execPath, [...job.command.slice(1), ...args], { cwd: deployed.dir, env, encoding: 'utf8', timeout: 120_000 });
    assert.is(migrate.status, 0, `${migrate.stdout}${migrate.stderr}`);
    assert.match(migrate.stdout, /No migration pending; created what the repositories declare:\n {2}\+ create table users/);
    const again = spawnSync(process.execPath, [...job.command.slice(1), ...args, '--json'], { cwd: deployed.dir, env, encoding: 'utf8', timeout: 120_000 });
    assert.is(again.status, 0, `${again.stdout}${again.stderr}`);
    assert.equal(JSON.parse(again.stdout).statements, [], 'a second run changes nothing');
    const started = await startService(deployed.dir, { ...baseEnv, DATABASE_URL: url.toString(), CHATCORE_SCHEMA_MODE: 'verify', CHATCORE_AUDIT_DIR: join(auditDir, '..', 'audit-verified') });
    try {
      assert.is((await fetch(`${started.url}/readyz`)).status, 200);
    } finally {
      started.child.kill('SIGTERM');
      assert.is(await started.exited, 0);
    }
  } finally {
    await admin.query(`drop database if exists ${empty} with (force)`);
  }
});

test.after(async () => {
  if (service && service.child.exitCode === null) service.child.kill('SIGKILL');
  deployed.remove();
  await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
  await admin.end();
});

test.run();
