import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ValidationError, createDatabase } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { audit, redactError, verifyAuditTrail } from '@chatcore/audit';
import { CapturedSink, openDb, repositories, secretValues } from './helpers/fixtures.js';
import { rejects } from './helpers/method-matrix.js';

const sink = new CapturedSink();
let dir: string;
let ctx: Awaited<ReturnType<typeof openDb>>;
const secrets: string[] = [];
const fresh = () => { const v = secretValues(); secrets.push(...v); return v; };

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'audit-redact-'));
  ctx = await openDb('pglite', {
    sinks: { console: { stream: sink.stream }, file: join(dir, 'audit.log'), outbox: true },
    checkpoints: { file: join(dir, 'audit.checkpoints'), every: 5 },
    recordRollbacks: true,
    slowQueryThreshold: 0,
  });
});
test.after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('sensitive and secret values (plain, base64, hex) never reach the console, the file, the checkpoints or the outbox, even from failed operations', async () => {
  const [plain, b64, hex] = fresh();
  const users = ctx.db.users;
  const u = await users.create({ name: 'Ada', email: plain, password: b64 } as never) as { id: string };
  await users.update(u.id, { email: hex, password: plain } as never);
  await users.find({ where: { email: hex } } as never);
  await users.count({ email: { in: [plain, b64] } } as never);
  await users.upsert({ id: u.id, name: 'Ada', email: b64 } as never);
  const [p2, b2, h2] = fresh();
  // A unique violation: PostgreSQL's own message quotes the duplicate value in the cause.
  await users.create({ name: 'B', email: p2 } as never);
  const dup = await rejects(users.create({ name: 'C', email: p2 } as never));
  assert.ok(String((dup as Error).cause ?? '').length >= 0);
  // A failure below the audit plugin whose message and cause quote values.
  await rejects(users.get(u.id, { fault: `${b2} ${h2}` } as never));
  await rejects(ctx.db.transaction(async (tx) => {
    await tx.users.update(u.id, { email: h2 } as never);
    throw new Error(`rolled back because of ${h2}`);
  }));
  await users.deleteMany({ email: b64 } as never);
  await ctx.plugin.recordInvalidInput(new ValidationError([{ path: 'email', message: `bad value ${p2}` }]), { repository: 'users', method: 'create' });
  ctx.db.reportSecurityEvent({ type: 'access_denied', message: 'not allowed', repository: 'users', details: { value: plain, attempt: 3 } });
  await ctx.plugin.flush();
  await ctx.db.close();

  const streamed = sink.all;
  const file = await readFile(join(dir, 'audit.log'), 'utf8');
  const cps = await readFile(join(dir, 'audit.checkpoints'), 'utf8');
  assert.ok(streamed.includes('"outcome":"error"') && streamed.includes('UNIQUE_VIOLATION') && streamed.includes('"type":"performance"'));
  assert.ok(file.length > 1000);
  for (const s of secrets) {
    assert.not.ok(streamed.includes(s), 'console sink');
    assert.not.ok(file.includes(s), 'file sink');
    assert.not.ok(cps.includes(s), 'checkpoints');
  }
});

test('the outbox rows carry no sensitive value', async () => {
  const [plain, b64, hex] = fresh();
  const o = await openDb('memory', { sinks: { outbox: true } });
  const u = await o.db.users.create({ name: 'Ada', email: plain, password: b64 } as never) as { id: string };
  await o.db.users.update(u.id, { email: hex } as never);
  await o.db.users.deleteMany({ email: hex } as never);
  await o.plugin.flush();
  const rows = JSON.stringify(await o.plugin.outboxReader().rows());
  assert.ok(rows.includes(u.id));
  for (const s of [plain, b64, hex]) assert.not.ok(rows.includes(s));
  await o.db.close();
});

test('redactError keeps the code and class and drops message and cause', () => {
  const [plain] = fresh();
  const r = redactError(new Error(`boom ${plain}`, { cause: new Error(plain) }));
  assert.equal(r.code, 'UNKNOWN');
  assert.not.ok(JSON.stringify(r).includes(plain));
  const v = redactError(new ValidationError([{ path: `email`, message: `got ${plain}` }]));
  assert.equal([v.code, v.paths], ['VALIDATION', ['email']]);
  assert.not.ok(JSON.stringify(v).includes(plain));
});

test('an allowlisted non-sensitive field is recorded with its value; a sensitive one is refused', async () => {
  const repos = repositories();
  const name = repos.users.name;
  const local = new CapturedSink();
  const db = createDatabase({ driver: memoryDriver(), repositories: repos, plugins: [audit({ sinks: { console: { stream: local.stream } }, includeValues: { [name]: ['name', 'age'] } })], allowPlaintextSensitive: true });
  await db.connect();
  await db.users.create({ name: 'Grace', email: 'g@example.com', age: 85 } as never);
  await db.close();
  const op = local.operations()[0]!;
  assert.equal(op.values, { age: 85, name: 'Grace' });
  assert.ok((await verifyAuditTrail(local.events(true))).ok, 'events with values verify');
  assert.not.ok(local.all.includes('g@example.com'));
  const bad = (() => {
    try {
      createDatabase({ driver: memoryDriver(), repositories: repos, plugins: [audit({ includeValues: { [name]: ['email'] } })], allowPlaintextSensitive: true });
    } catch (e) {
      return e;
    }
  })();
  assert.ok(bad instanceof ConfigError);
  assert.match((bad as Error).message, /sensitive or secret/);
});

test.run();
