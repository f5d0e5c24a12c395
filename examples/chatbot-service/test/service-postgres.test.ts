// The service as the Docker image runs it: deployed with `pnpm deploy --prod`,
// started from that folder on PostgreSQL with Redis as the shared cache tier.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { requireService } from '@chatcore/core/testing';
import { deployService, freshKeys, startService, type RunningService } from './helpers/deployed-service.js';
import { assertDrainOnSigterm, assertErrorAnswers, assertReady, assertSmoke } from './helpers/service-scenario.js';

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

test('started from the deployed folder on PostgreSQL, /readyz answers 200 with the whole stack up', async () => {
  service = await startService(deployed.dir, {
    ...freshKeys(),
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: process.env.CHATCORE_REDIS_URL ?? 'redis://127.0.0.1:6379',
    CHATCORE_SCHEMA_MODE: 'apply', // the migration Job's part (`chatcore migrate up`) in a real deployment
    CHATCORE_AUDIT_DIR: auditDir,
  });
  await assertReady(service);
  const ready = await (await fetch(`${service.url}/readyz`)).json() as { components: Array<{ name: string }> };
  assert.ok(ready.components.some((c) => c.name === 'primary' || c.name === 'postgres'), JSON.stringify(ready.components));
});

test('the smoke script creates a user, a conversation and 50 messages and pages them back', async () => {
  await assertSmoke(service!, deployed.dir);
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

test.after(async () => {
  if (service && service.child.exitCode === null) service.child.kill('SIGKILL');
  deployed.remove();
  await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
  await admin.end();
});

test.run();
