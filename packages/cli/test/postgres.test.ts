import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase } from '@chatcore/core';
import { closedPort, requireService } from '@chatcore/core/testing';
import { postgres } from '@chatcore/postgres';
import { encryption } from '@chatcore/encryption';
import { audit } from '@chatcore/audit';
import { FIXTURE_REPOSITORIES, jsonOf, runCli, show, startCli } from './helpers/run-cli.js';
import { repositories } from './fixtures/repositories.mjs';

// The built binary against PostgreSQL: a database of its own, the audit
// outbox, and a key rotation of 50,000 rows killed with SIGKILL half-way.

await requireService('postgres');
const ROWS = 50_000;
const server = process.env.CHATCORE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dbName = `chatcore_cli_${randomBytes(4).toString('hex')}`;
const url = new URL(server);
url.pathname = `/${dbName}`;
const DATABASE_URL = url.toString();

const dir = mkdtempSync(join(tmpdir(), 'chatcore-cli-pg-'));
const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');
const env = { K1, K2, DATABASE_URL, CHATCORE_REPOSITORIES: FIXTURE_REPOSITORIES };
const checkpointFile = join(dir, 'chatcore.rotation.json');

function writeConfig(keys: string): void {
  writeFileSync(join(dir, 'chatcore.yaml'), `database:
  backend: postgres
  url: \${DATABASE_URL}
  connection_pool_size: 8
encryption:
  keys:
${keys}
audit:
  sinks:
    outbox: true
`);
}
writeConfig('    - id: k1\n      key: ${K1}\n      active: true');
const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: dir, env: { ...env, ...extra }, timeoutMs: 300_000 });

async function admin<T>(target: string, fn: (exec: (sql: string) => Promise<{ rows: Array<Record<string, unknown>> }>) => Promise<T>): Promise<T> {
  const driver = postgres({ url: target });
  await driver.connect();
  try {
    return await fn((sql) => driver.executor.execute({ sql, parameters: [] }) as Promise<{ rows: Array<Record<string, unknown>> }>);
  } finally {
    await driver.close();
  }
}

function openDb(keys: Array<{ id: string; key: string; active?: boolean }>) {
  return createDatabase({ driver: postgres({ url: DATABASE_URL }), repositories, plugins: [encryption({ keys })], schemaMode: 'off' });
}

test.before(async () => {
  await admin(server, (exec) => exec(`create database "${dbName}"`));
});

test('health exits 1 and reports the primary down when the server cannot be reached', async () => {
  const other = mkdtempSync(join(tmpdir(), 'chatcore-cli-down-'));
  try {
    const port = await closedPort();
    writeFileSync(join(other, 'chatcore.yaml'), `database:\n  backend: postgres\n  url: postgres://postgres@127.0.0.1:${port}/nothing\n  query_timeout: 2s\nencryption:\n  root_key: \${K1}\n`);
    const run = await runCli(['health', '--json'], { cwd: other, env, timeoutMs: 120_000 });
    assert.is(run.code, 1, show(run));
    const report = jsonOf<{ status: string; components: Array<{ name: string; status: string }> }>(run);
    assert.is(report.status, 'down');
    assert.ok(report.components.some((c) => c.status === 'down'), JSON.stringify(report));
    const text = await runCli(['health'], { cwd: other, env, timeoutMs: 120_000 });
    assert.is(text.code, 1, show(text));
    assert.match(text.stdout, /^status: down/);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});

test('schema apply creates the tables (the audit outbox included); health is up with pool and breaker', async () => {
  const apply = await cli(['schema', 'apply']);
  assert.is(apply.code, 0, show(apply));
  assert.match(apply.stdout, /\+ create table users/);
  assert.match(apply.stdout, /\+ create table audit_events/);
  const health = await cli(['health', '--json']);
  assert.is(health.code, 0, show(health));
  const names = jsonOf<{ components: Array<{ name: string; status: string }> }>(health).components.map((c) => c.name);
  for (const n of ['primary', 'pool', 'audit', 'encryption', 'schema']) assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
});

test(`stats counts ${ROWS} rows and shows the pool and the outbox queue`, async () => {
  const db = openDb([{ id: 'k1', key: K1, active: true }]);
  await db.connect();
  try {
    for (let i = 0; i < ROWS; i += 2000) {
      await db.users.createMany(Array.from({ length: 2000 }, (_, j) => ({ name: `user ${i + j}`, email: `user${i + j}@example.org`, ssn: `ssn-${i + j}` })));
    }
  } finally {
    await db.close();
  }
  const run = await cli(['stats', '--json']);
  assert.is(run.code, 0, show(run));
  const stats = jsonOf<{ rows: Record<string, number>; pool: { max: number } | null; auditQueue: { outboxPending: number } }>(run);
  assert.is(stats.rows.users, ROWS);
  assert.is(stats.rows.notes, 0);
  assert.is(stats.pool?.max, 8);
  assert.type(stats.auditQueue.outboxPending, 'number');
});

test(`keys rotate on ${ROWS} rows, killed with SIGKILL mid-way, completes when run again; k1 is then retirable`, async () => {
  // New keys go after the old ones: the first key listed is the blind-index and row-authenticator root.
  writeConfig('    - id: k1\n      key: ${K1}\n    - id: k2\n      key: ${K2}\n      active: true');
  const refused = await cli(['keys', 'retire', 'k1', '--json']);
  assert.is(refused.code, 1, show(refused));
  assert.match(jsonOf<{ error: { message: string } }>(refused).error.message, new RegExp(`still protects ${2 * ROWS} stored values`));

  const first = startCli(['keys', 'rotate', '--batch-size', '1000', '--concurrency', '8'], { cwd: dir, env });
  let killedAt = 0;
  for (let waited = 0; waited < 240_000 && first.child.exitCode === null; waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
    if (!existsSync(checkpointFile)) continue;
    try {
      const scanned = (JSON.parse(readFileSync(checkpointFile, 'utf8')) as { repositories: Record<string, { scanned: number }> }).repositories.users?.scanned ?? 0;
      if (scanned >= 5000) {
        first.child.kill('SIGKILL');
        killedAt = scanned;
        break;
      }
    } catch {
      // renamed while read: try again
    }
  }
  const killed = await first.done;
  assert.is(killed.signal, 'SIGKILL', `the run should have been killed mid-way: ${show(killed)}`);
  const saved = JSON.parse(readFileSync(checkpointFile, 'utf8')) as { activeKeyId: string; repositories: Record<string, { done: boolean; scanned: number; checkpoint: string }> };
  assert.is(saved.activeKeyId, 'k2');
  assert.is(saved.repositories.users!.done, false);
  assert.ok(saved.repositories.users!.scanned >= killedAt && saved.repositories.users!.scanned < ROWS);

  const second = await cli(['keys', 'rotate', '--batch-size', '1000', '--concurrency', '8', '--json']);
  assert.is(second.code, 0, show(second));
  const result = jsonOf<{ activeKeyId: string; repositories: Array<{ repository: string; scanned: number; resumed: boolean }> }>(second);
  const users = result.repositories.find((r) => r.repository === 'users')!;
  assert.is(users.resumed, true);
  assert.ok(users.scanned <= ROWS - saved.repositories.users!.scanned + 1000, `resumed from the checkpoint, not from the start (${users.scanned} scanned)`);
  assert.not.ok(existsSync(checkpointFile), 'the checkpoint is removed once the rotation is complete');

  const status = jsonOf<{ keys: Array<{ id: string; values: number }> }>(await cli(['keys', 'status', '--json']));
  assert.equal(status.keys.map((k) => [k.id, k.values]), [['k1', 0], ['k2', 2 * ROWS]]);
  const retire = await cli(['keys', 'retire', 'k1']);
  assert.is(retire.code, 0, show(retire));
  assert.match(retire.stdout, /Key k1 protects no stored value/);

  // Every row reads back. k1 stays listed: retired for encryption, its material is still the
  // blind-index and row-authenticator root (docs/encryption.md); status showed 0 values under it.
  const db = openDb([{ id: 'k1', key: K1 }, { id: 'k2', key: K2, active: true }]);
  await db.connect();
  try {
    let seen = 0;
    let after: string | undefined;
    for (;;) {
      const page = await db.users.findPage({ orderBy: { id: 'asc' }, limit: 5000, ...(after ? { after } : {}) });
      for (const u of page.items) {
        assert.is(u.email, `user${u.name.slice(5)}@example.org`);
        seen++;
      }
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    assert.is(seen, ROWS);
  } finally {
    await db.close();
  }
});

test('audit verify --from db: the outbox chain verifies; a changed row exits 1 naming its sequence number', async () => {
  // The application's writes, recorded in the outbox in their own transactions and chained at close.
  const app = createDatabase({ driver: postgres({ url: DATABASE_URL }), repositories, plugins: [audit({ sinks: { outbox: true } }), encryption({ keys: [{ id: 'k2', key: K2, active: true }] })], schemaMode: 'off' });
  await app.connect();
  try {
    for (let i = 0; i < 6; i++) await app.notes.create({ body: `note ${i}` });
  } finally {
    await app.close();
  }
  const ok = await cli(['audit', 'verify', '--from', 'db']);
  assert.is(ok.code, 0, show(ok));
  assert.match(ok.stdout, /Audit trail intact: \d+ event\(s\) from the outbox/);
  const seq = await admin(DATABASE_URL, async (exec) => {
    const count = Number((await exec('select count(*) as n from audit_links')).rows[0]!.n);
    assert.ok(count >= 3, `${count} events chained; ${ok.stdout}`);
    const link = (await exec(`select id, seq from audit_links order by seq limit 1 offset ${Math.floor(count / 2)}`)).rows[0]!;
    await exec(`update audit_events set event = jsonb_set(event, '{actor}', '"someone-else"') where id = '${String(link.id)}'`);
    return Number(link.seq);
  });
  const broken = await cli(['audit', 'verify', '--json']);
  assert.is(broken.code, 1, show(broken));
  const report = jsonOf<{ ok: boolean; from: string; problem: { seq: number; kind: string } }>(broken);
  assert.is(report.from, 'db');
  assert.is(report.problem.seq, seq);
  assert.is(report.problem.kind, 'modified');
  const text = await cli(['audit', 'verify']);
  assert.is(text.code, 1, show(text));
  assert.match(text.stdout, new RegExp(`BROKEN at seq ${seq} \\(modified`));
});

test.after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await admin(server, (exec) => exec(`drop database if exists "${dbName}" with (force)`)).catch(() => undefined);
});
test.run();
