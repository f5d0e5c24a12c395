import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase } from '@chatcore/core';
import { pglite } from '@chatcore/pglite';
import { encryption } from '@chatcore/encryption';
import { BIN, FIXTURE_REPOSITORIES, jsonOf, runCli, show } from './helpers/run-cli.js';
import { createEmptyDatabase } from './helpers/pglite-database.js';
import { repositories } from './fixtures/repositories.mjs';

// Every command of the built binary against an embedded PGlite data directory.

const dir = mkdtempSync(join(tmpdir(), 'chatcore-cli-pglite-'));
const dataDir = join(dir, 'data');
const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');
const env = { K1, K2, CHATCORE_REPOSITORIES: FIXTURE_REPOSITORIES };
const auditLog = join(dir, 'audit.log');
const checkpoints = join(dir, 'audit.checkpoints');

function writeConfig(keys: string): void {
  writeFileSync(join(dir, 'chatcore.yaml'), `database:
  backend: pglite
  data_dir: ${dataDir}
encryption:
  keys:
${keys}
audit:
  sinks:
    file: ${auditLog}
  checkpoints:
    file: ${checkpoints}
`);
}
writeConfig('    - id: k1\n      key: ${K1}\n      active: true');

const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(args, { cwd: dir, env: { ...env, ...extra } });

/** Open the data directory in this process (the CLI must not be running). */
async function withDb<T>(fn: (db: ReturnType<typeof open>) => Promise<T>): Promise<T> {
  const db = open();
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
function open() {
  return createDatabase({ driver: pglite({ dataDir }), repositories, plugins: [encryption({ keys: [{ id: 'k1', key: K1, active: true }] })], schemaMode: 'off' });
}

test('no chatcore.yaml: exit 2 naming the file; with --json the error is a JSON document', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'chatcore-cli-empty-'));
  try {
    const run = await runCli(['health'], { cwd: empty, env });
    assert.is(run.code, 2, show(run));
    assert.match(run.stderr, /chatcore\.yaml does not exist/);
    assert.is(run.stdout, '');
    const json = await runCli(['health', '--json'], { cwd: empty, env });
    assert.is(json.code, 2, show(json));
    const body = jsonOf<{ ok: boolean; error: { code: string; message: string } }>(json);
    assert.is(body.ok, false);
    assert.is(body.error.code, 'CONFIG');
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('usage errors exit 2: unknown option, unknown command, bad number; --help exits 0', async () => {
  const unknown = await cli(['health', '--nope']);
  assert.is(unknown.code, 2, show(unknown));
  assert.match(unknown.stderr, /unknown option '--nope'/);
  const command = await cli(['helth']);
  assert.is(command.code, 2, show(command));
  assert.match(command.stderr, /Did you mean health\?/);
  const batch = await cli(['keys', 'rotate', '--batch-size', 'many']);
  assert.is(batch.code, 2, show(batch));
  assert.match(batch.stderr, /batch-size.*integer from 1 to 10000/s);
  const help = await cli(['keys', 'rotate', '--help']);
  assert.is(help.code, 0, show(help));
  assert.match(help.stdout, /Usage: chatcore keys rotate/);
  assert.match(help.stdout, /Exit codes:/);
});

test('a command group without its subcommand is a usage error: help on stderr, exit 2', async () => {
  for (const group of ['keys', 'migrate', 'schema', 'audit']) {
    const run = await cli([group]);
    assert.is(run.code, 2, show(run));
    assert.match(run.stderr, new RegExp(`Usage: chatcore ${group}`));
    assert.is(run.stdout, '');
  }
  const json = await cli(['--json', 'keys']);
  assert.is(json.code, 2, show(json));
  const body = jsonOf<{ ok: boolean; error: { code: string; message: string } }>(json);
  assert.equal(body, { ok: false, error: { code: 'USAGE', message: 'chatcore keys needs a subcommand: status, add, rotate, verify, retire.' } });
});

test('with --json, a usage error is the JSON error document on stdout', async () => {
  const batch = await cli(['--json', 'keys', 'rotate', '--batch-size', '0']);
  assert.is(batch.code, 2, show(batch));
  const body = jsonOf<{ ok: boolean; error: { code: string; message: string } }>(batch);
  assert.is(body.ok, false);
  assert.is(body.error.code, 'USAGE');
  assert.match(body.error.message, /batch-size.*integer from 1 to 10000/s);
  const unknown = jsonOf<{ error: { code: string; message: string } }>(await cli(['health', '--json', '--nope']));
  assert.equal(unknown.error, { code: 'USAGE', message: "unknown option '--nope'" });
});

test('a mistake in chatcore.yaml exits 2 with its path and line; the secret is not echoed', async () => {
  const bad = mkdtempSync(join(tmpdir(), 'chatcore-cli-bad-'));
  try {
    writeFileSync(join(bad, 'chatcore.yaml'), 'database:\n  backend: pglite\n  conection_pool_size: 3\nencryption:\n  root_key: ${MISSING_ROOT_KEY}\n');
    const run = await runCli(['stats'], { cwd: bad, env });
    assert.is(run.code, 2, show(run));
    assert.match(run.stderr, /database\.conection_pool_size \(line 3\): unknown key/);
    assert.match(run.stderr, /encryption\.root_key \(line 5\): environment variable MISSING_ROOT_KEY is not set/);
  } finally {
    rmSync(bad, { recursive: true, force: true });
  }
});

test('a repositories module that does not exist exits 2 and says which flag to use', async () => {
  const run = await cli(['stats', '--repositories', './nowhere.js']);
  assert.is(run.code, 2, show(run));
  assert.match(run.stderr, /nowhere\.js does not exist: pass --repositories/);
});

test('schema: plan lists the tables of an empty database, verify exits 1, apply creates them, verify exits 0', async () => {
  await createEmptyDatabase(dataDir);
  const plan = await cli(['schema', 'plan', '--sql']);
  assert.is(plan.code, 0, show(plan));
  assert.match(plan.stdout, /\+ create table users/);
  assert.match(plan.stdout, /\+ create table notes/);
  assert.match(plan.stdout, /create table if not exists "users"/); // --sql
  const planJson = jsonOf<{ additive: Array<{ description: string }>; destructive: string[]; ok: boolean }>(await cli(['schema', 'plan', '--json']));
  assert.ok(planJson.additive.some((s) => s.description === 'create table users'));
  assert.equal(planJson.destructive, []);
  const indexes = `${tmpdir()}/chatcore-no-indexes-${process.pid}.json`;
  const notFirestore = await cli(['schema', 'plan', '--firestore-indexes', indexes]);
  assert.is(notFirestore.code, 2, show(notFirestore));
  assert.match(notFirestore.stderr, /--firestore-indexes needs a Firestore backend/);
  assert.not.ok(existsSync(indexes), 'no file written');

  const before = await cli(['schema', 'verify']);
  assert.is(before.code, 1, show(before));
  assert.match(before.stdout, /Schema drift/);

  const apply = await cli(['schema', 'apply', '--json']);
  assert.is(apply.code, 0, show(apply));
  assert.ok(jsonOf<{ applied: string[] }>(apply).applied.includes('create table users'));

  const after = await cli(['schema', 'verify']);
  assert.is(after.code, 0, show(after));
  assert.match(after.stdout, /matches the repositories/);
});

test('health: every component up, exit 0; --json lists them', async () => {
  const run = await cli(['health']);
  assert.is(run.code, 0, show(run));
  assert.match(run.stdout, /^status: up/);
  assert.match(run.stdout, /up +pglite/);
  const report = jsonOf<{ ok: boolean; status: string; components: Array<{ name: string; status: string }> }>(await cli(['health', '--json']));
  assert.is(report.status, 'up');
  assert.is(report.ok, true, 'every --json result carries ok');
  assert.equal(report.components.map((c) => c.name).sort(), ['audit', 'encryption', 'pglite', 'schema']);
  assert.ok(report.components.every((c) => c.status === 'up'));
});

test('stats: row counts per repository and the audit queue', async () => {
  await withDb(async (db) => {
    await db.users.createMany(Array.from({ length: 30 }, (_, i) => ({ name: `u${i}`, email: `u${i}@example.org`, ssn: `ssn-${i}` })));
    await db.notes.create({ body: 'hello' });
  });
  const run = await cli(['stats']);
  assert.is(run.code, 0, show(run));
  assert.match(run.stdout, /users: 30/);
  assert.match(run.stdout, /notes: 1/);
  const json = jsonOf<{ ok: boolean; rows: Record<string, number>; auditQueue: { dropped: number }; cache: unknown }>(await cli(['stats', '--json']));
  assert.is(json.ok, true);
  assert.equal(json.rows, { users: 30, notes: 1 });
  assert.is(json.auditQueue.dropped, 0);
  assert.is(json.cache, null);
});

test('keys: status counts values per key; rotate to k2; retire k1 refused before, accepted after', async () => {
  const status = jsonOf<{ ok: boolean; activeKeyId: string; keys: Array<{ id: string; values: number }> }>(await cli(['keys', 'status', '--json']));
  assert.is(status.ok, true);
  assert.is(status.activeKeyId, 'k1');
  assert.equal(status.keys, [{ id: 'k1', active: true, values: 60 }]); // email + ssn of 30 users

  // New keys go after the old ones: the first key listed is the blind-index and row-authenticator root (docs/encryption.md).
  writeConfig('    - id: k1\n      key: ${K1}\n    - id: k2\n      key: ${K2}\n      active: true');
  const refused = await cli(['keys', 'retire', 'k1']);
  assert.is(refused.code, 1, show(refused));
  assert.match(refused.stdout, /Refused: Key k1 still protects 60 stored values \(users: 60\)/);

  const rotate = await cli(['keys', 'rotate', '--batch-size', '7']);
  assert.is(rotate.code, 0, show(rotate));
  assert.match(rotate.stdout, /users: 30 rows scanned, 60 values rewritten/);
  assert.is(rotate.stderr, ''); // not a terminal: no progress bar

  const after = await cli(['keys', 'status']);
  assert.is(after.code, 0, show(after));
  assert.match(after.stdout, /k2 \(active\): 60 stored value/);
  assert.match(after.stdout, /k1: 0 stored value/);
  const retired = jsonOf<{ retired: boolean; keepInConfig: boolean }>(await cli(['keys', 'retire', 'k1', '--json']));
  assert.is(retired.retired, true);
  assert.is(retired.keepInConfig, true);
});

test('keys retire of the first key listed says to keep it in the file, never to remove it', async () => {
  const run = await cli(['keys', 'retire', 'k1']);
  assert.is(run.code, 0, show(run));
  assert.match(run.stdout, /keep it first in encryption\.keys/);
  assert.not.match(run.stdout, /Remove it from encryption\.keys/);

  // A key listed after the first, protecting nothing, is the one to remove.
  writeConfig('    - id: k1\n      key: ${K1}\n    - id: k2\n      key: ${K2}\n      active: true\n    - id: k3\n      key: ${K3}');
  try {
    const later = await cli(['keys', 'retire', 'k3'], { K3: randomBytes(32).toString('base64') });
    assert.is(later.code, 0, show(later));
    assert.match(later.stdout, /Remove it from encryption\.keys in chatcore\.yaml/);
    const json = jsonOf<{ keepInConfig: boolean }>(await cli(['keys', 'retire', 'k3', '--json'], { K3: randomBytes(32).toString('base64') }));
    assert.is(json.keepInConfig, false);
  } finally {
    writeConfig('    - id: k1\n      key: ${K1}\n    - id: k2\n      key: ${K2}\n      active: true');
  }
});

test('on a terminal, keys rotate draws a progress bar with rows, rate and ETA on stderr', async () => {
  if (!existsSync('/usr/bin/script')) return; // util-linux script gives the command a pseudo-terminal
  const run = await runCli(['-qc', `${process.execPath} ${BIN} keys rotate --key k1 --batch-size 10`, '/dev/null'], { cwd: dir, env, command: '/usr/bin/script' });
  assert.is(run.code, 0, show(run));
  assert.match(run.stdout, /users \|[█░]+\| 30\/30 rows \| \d+ rows\/s \| ETA/);
  assert.match(run.stdout, /Re-encrypted under k1/);
});

test('keys add: a generated key loads beside the others and the YAML entry names its variable', async () => {
  const run = await cli(['keys', 'add', '--id', 'k3', '--activate', '--json']);
  assert.is(run.code, 0, show(run));
  const body = jsonOf<{ id: string; env: string; key: string; yaml: string }>(run);
  assert.is(body.env, 'CHATCORE_KEY_K3');
  assert.is(Buffer.from(body.key, 'base64').length, 32);
  assert.match(body.yaml, /- id: k3\n +key: \$\{CHATCORE_KEY_K3\}\n +active: true/);
  const taken = await cli(['keys', 'add', '--id', 'k2', '--from-env', 'K1']);
  assert.is.not(taken.code, 0, show(taken));
  assert.not.match(taken.stdout + taken.stderr, K1);
});

test('while another process has the data directory open, commands exit 1 naming it and touch nothing', async () => {
  await withDb(async () => {
    const run = await cli(['migrate', 'up', '--json']);
    assert.is(run.code, 1, show(run));
    const body = jsonOf<{ ok: boolean; error: { code: string; message: string } }>(run);
    assert.is(body.error.code, 'DRIVER');
    assert.match(body.error.message, new RegExp(`data directory .* is in use by process ${process.pid}`));
  });
  const after = await cli(['health']);
  assert.is(after.code, 0, show(after));
});

test('audit verify: the file trail verifies; a changed event exits 1 naming its sequence number', async () => {
  const ok = await cli(['audit', 'verify']);
  assert.is(ok.code, 0, show(ok));
  assert.match(ok.stdout, /Audit trail intact/);
  const lines = readFileSync(auditLog, 'utf8').split('\n');
  const index = lines.findIndex((l) => l.includes('"method":"count"') && l.includes('"repository":"users"'));
  assert.ok(index >= 0, 'the CLI\'s own operations are audited');
  const event = JSON.parse(lines[index]!) as { seq: number; stream: string; count: number };
  lines[index] = JSON.stringify({ ...event, count: event.count + 1 });
  writeFileSync(auditLog, lines.join('\n'));
  const broken = await cli(['audit', 'verify']);
  assert.is(broken.code, 1, show(broken));
  assert.match(broken.stdout, new RegExp(`BROKEN at seq ${event.seq} \\(modified; stream ${event.stream}`));
  const json = jsonOf<{ ok: boolean; problem: { seq: number; kind: string; line: number } }>(await cli(['audit', 'verify', '--json', '--from', 'file', '--checkpoints', checkpoints]));
  assert.is(json.ok, false);
  assert.is(json.problem.seq, event.seq);
  assert.is(json.problem.line, index + 1);
});

test('audit verify --from db without an outbox sink: exit 2 naming the fix, before opening the stack', async () => {
  const before = readFileSync(auditLog, 'utf8');
  const run = await cli(['audit', 'verify', '--from', 'db']);
  assert.is(run.code, 2, show(run));
  assert.match(run.stderr, /--from db verifies the audit outbox, but the audit section has no outbox sink: .*--from file .*sinks: \{ outbox: true \}/);
  assert.is(readFileSync(auditLog, 'utf8'), before, 'no stream was started in the file sink');
});

test('audit verify --trail: the file is verified even when the config has an outbox; --from db with --trail exits 2', async () => {
  const other = mkdtempSync(join(tmpdir(), 'chatcore-cli-outbox-'));
  try {
    writeFileSync(join(other, 'chatcore.yaml'), 'database:\n  backend: memory\naudit:\n  sinks:\n    outbox: true\n');
    const trail = join(other, 'copy.log');
    const cps = join(other, 'copy.checkpoints');
    const lines = readFileSync(auditLog, 'utf8').split('\n').filter(Boolean);
    const events = lines.map((l) => JSON.parse(l) as { seq: number; stream: string; hash: string });
    // An intact copy first: a stream of the trail, with a checkpoint at its last event.
    const stream = events[events.length - 1]!.stream;
    const own = lines.filter((_, i) => events[i]!.stream === stream);
    const last = events.filter((e) => e.stream === stream).pop()!;
    writeFileSync(trail, own.join('\n') + '\n');
    writeFileSync(cps, JSON.stringify({ stream, seq: last.seq, hash: last.hash }) + '\n');
    const run = (args: string[]) => runCli(args, { cwd: other, env });
    const ok = await run(['audit', 'verify', '--trail', trail, '--checkpoints', cps]);
    assert.is(ok.code, 0, show(ok));
    assert.match(ok.stdout, new RegExp(`intact: ${own.length} event\\(s\\) from ${trail}`));
    // An edited event is found in the file, not hidden behind the outbox.
    const edited = own.map((l, i) => (i === 1 ? l.replace(/"v":1/, '"v":1,"actor":"mallory"') : l));
    writeFileSync(trail, edited.join('\n') + '\n');
    const broken = await run(['audit', 'verify', '--trail', trail]);
    assert.is(broken.code, 1, show(broken));
    assert.match(broken.stdout, /BROKEN at seq \d+ \(modified/);
    // The checkpoints apply to the file trail: the tail cut off is found.
    writeFileSync(trail, own.slice(0, -1).join('\n') + '\n');
    const cut = jsonOf<{ ok: boolean; from: string; problem: { kind: string } }>(await run(['audit', 'verify', '--json', '--trail', trail, '--checkpoints', cps]));
    assert.is(cut.from, 'file');
    assert.is(cut.problem.kind, 'truncated');
    const cutText = await run(['audit', 'verify', '--trail', trail, '--checkpoints', cps]);
    assert.is(cutText.code, 1, show(cutText));
    assert.ok(cutText.stdout.startsWith(`Audit trail BROKEN: truncated after seq ${last.seq - 1} (stream ${stream}, ${trail}): `), cutText.stdout);
    const both = await run(['audit', 'verify', '--from', 'db', '--trail', trail]);
    assert.is(both.code, 2, show(both));
    assert.match(both.stderr, /--trail .* cannot be combined with --from db/);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});

test('schema: a difference only a migration can fix is refused by apply, and nothing else changes', async () => {
  await withDb(async (db) => {
    const exec = (sql: string) => (db.driver as unknown as { executor: { execute(s: { sql: string; parameters: unknown[] }): Promise<unknown> } }).executor.execute({ sql, parameters: [] });
    await exec('alter table notes add column legacy text not null default \'x\'');
    await exec('alter table notes alter column legacy drop default');
    await exec('drop index users_email_bidx_idx');
  });
  const plan = await cli(['schema', 'plan']);
  assert.is(plan.code, 1, show(plan));
  assert.match(plan.stdout, /\+ create index users_email_bidx_idx/);
  assert.match(plan.stdout, /! notes\.legacy exists in the database \(not null, no default\)/);
  // The way out is a migration applied by migrate up: schema apply refuses again until then.
  assert.match(plan.stdout, /write a migration .*then run `chatcore migrate up`/);
  assert.not.match(plan.stdout, /schema apply again/);
  const refused = await cli(['schema', 'apply']);
  assert.is(refused.code, 1, show(refused));
  assert.match(refused.stdout, /then run `chatcore migrate up`/);
  const apply = await cli(['schema', 'apply', '--json']);
  assert.is(apply.code, 1, show(apply));
  const body = jsonOf<{ ok: boolean; applied: string[]; destructive: string[] }>(apply);
  assert.is(body.ok, false);
  assert.equal(body.applied, []);
  const verify = await cli(['schema', 'verify', '--json']);
  assert.is(verify.code, 1, show(verify));
  assert.ok(jsonOf<{ additive: Array<{ description: string }> }>(verify).additive.some((s) => s.description.includes('users_email_bidx_idx')), 'the refused apply created nothing');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
