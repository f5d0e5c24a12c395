import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPort } from '@chatcore/core/testing';
import { FIXTURE_REPOSITORIES, jsonOf, runCli, show } from './helpers/run-cli.js';

// Every command that talks to the server, against a server that is not there (a closed port):
// exit 1 with one line saying so, no stack trace, no password, and no waiting out a long timeout.

const PASSWORD = 'pw-never-printed-7f3a';
const env = { K1: randomBytes(32).toString('base64'), CHATCORE_REPOSITORIES: FIXTURE_REPOSITORIES };
const dirs: string[] = [];

function stack(database: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'chatcore-cli-unreachable-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'chatcore.yaml'), `database:\n${database}encryption:\n  keys:\n    - id: k1\n      key: \${K1}\n      active: true\naudit:\n  sinks:\n    outbox: true\n`);
  return dir;
}

const COMMANDS = [['stats'], ['schema', 'plan'], ['schema', 'verify'], ['migrate', 'status'], ['migrate', 'up'], ['migrate', 'create', 'next', '--ext', 'mjs'], ['keys', 'status'], ['keys', 'verify'], ['keys', 'rotate'], ['keys', 'retire', 'k1'], ['audit', 'verify']];

async function expectUnreachable(dir: string, pattern: RegExp): Promise<void> {
  for (const args of COMMANDS) {
    // Killed after 120 s: a command still waiting by then has hung on the server.
    const run = await runCli(args, { cwd: dir, env, timeoutMs: 120_000 });
    const what = `${args.join(' ')}: ${show(run)}`;
    assert.is(run.signal, null, `killed, still waiting: ${what}`);
    assert.is(run.code, 1, what);
    const last = run.stderr.trim().split('\n').pop()!;
    assert.match(last, /^chatcore: /, what);
    assert.match(last, pattern, what);
    assert.not.match(run.stderr, /\n\s+at |UNAVAILABLE:|ECONNREFUSED 127/, `no stack trace or raw SDK error: ${what}`);
    assert.not.match(run.stdout + run.stderr, new RegExp(PASSWORD), `no password: ${what}`);
  }
  const json = await runCli(['stats', '--json'], { cwd: dir, env, timeoutMs: 120_000 });
  assert.is(json.code, 1, show(json));
  const body = jsonOf<{ ok: boolean; error: { code: string; message: string } }>(json);
  assert.is(body.ok, false);
  assert.match(body.error.message, pattern);
}

test('PostgreSQL on a closed port: every command exits 1 saying the server cannot be reached, naming host:port and database, without the password', async () => {
  const port = await closedPort();
  const dir = stack(`  backend: postgres\n  url: postgres://app:${PASSWORD}@127.0.0.1:${port}/chat\n`);
  await expectUnreachable(dir, new RegExp(`postgres at 127\\.0\\.0\\.1:${port}, database chat: .*could not be reached.*Check that the server is up and reachable`));
});

/** A server that accepts TCP and never says a word (a dead host behind a load balancer). */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Under the 41 s of connect attempts that the 5 s health bound cuts short. */
const BOUND_MS = 35_000;

test('PostgreSQL that accepts TCP and never answers: commands exit 1 within the 5 s health bound, code CONNECTION, naming host:port', async () => {
  const silent = await silentServer();
  try {
    const dir = stack(`  backend: postgres\n  url: postgres://app:${PASSWORD}@127.0.0.1:${silent.port}/chat\n`);
    const where = new RegExp(`postgres at 127\\.0\\.0\\.1:${silent.port}, database chat`);
    // Each connect attempt waits 10 s (connectTimeout) and the driver retries 3 times: 41 s without the bound, and
    // never less, as a timer does not fire early. Each run also starts node and loads the CLI, which takes 10 s
    // and more on 2 loaded cores: BOUND_MS leaves 30 s over the 5 s bound and still tells the two apart.
    for (const args of [['stats', '--json'], ['schema', 'plan', '--json'], ['keys', 'status', '--json'], ['migrate', 'status', '--json']]) {
      const started = performance.now();
      const run = await runCli(args, { cwd: dir, env, timeoutMs: 120_000 });
      const took = performance.now() - started;
      const what = `${args.join(' ')} (${Math.round(took)} ms): ${show(run)}`;
      assert.is(run.code, 1, what);
      const { error } = jsonOf<{ error: { code: string; message: string } }>(run);
      assert.is(error.code, 'CONNECTION', what);
      assert.match(error.message, /^The database did not answer \(/, what);
      assert.match(error.message, where, what);
      assert.not.match(run.stdout + run.stderr, new RegExp(PASSWORD), `no password: ${what}`);
      assert.ok(took < BOUND_MS, `took ${Math.round(took)} ms, not bounded by the health check: ${what}`);
    }
    const started = performance.now();
    const run = await runCli(['health', '--json'], { cwd: dir, env, timeoutMs: 120_000 });
    const took = performance.now() - started;
    const what = `health (${Math.round(took)} ms): ${show(run)}`;
    assert.is(run.code, 1, what);
    const report = jsonOf<{ ok: boolean; status: string; components: { name: string; status: string; error?: string }[] }>(run);
    assert.is(report.status, 'down', what);
    const primary = report.components.find((c) => c.name === 'primary');
    assert.is(primary?.status, 'down', what);
    assert.match(primary?.error ?? '', where, what);
    assert.match(primary?.error ?? '', /no answer within 5000 ms/, what);
    assert.is(report.components.find((c) => c.name === 'schema'), undefined, `no schema verdict: ${what}`);
    assert.not.match(run.stdout, new RegExp(PASSWORD), `no password: ${what}`);
    assert.ok(took < BOUND_MS, `took ${Math.round(took)} ms, not bounded by the health check: ${what}`);
  } finally {
    await silent.close();
  }
});

test('Firestore emulator on a closed port: every command exits 1 saying Firestore is unavailable (migrate up too)', async () => {
  const dir = stack(`  backend: firestore\n  project_id: cli-unreachable-${randomBytes(4).toString('hex')}\n  emulator_host: 127.0.0.1:${await closedPort()}\n`);
  await expectUnreachable(dir, /Firestore is unavailable during .*Check the network, the project and the emulator host/);
});

test('Firestore through FIRESTORE_EMULATOR_HOST on a closed port: schema plan and verify exit 1 naming the emulator host', async () => {
  const port = await closedPort();
  const dir = stack(`  backend: firestore\n  project_id: cli-unreachable-${randomBytes(4).toString('hex')}\n`);
  for (const args of [['schema', 'plan'], ['schema', 'verify'], ['schema', 'plan', '--json']]) {
    const run = await runCli(args, { cwd: dir, env: { ...env, FIRESTORE_EMULATOR_HOST: `127.0.0.1:${port}` }, timeoutMs: 120_000 });
    const what = `${args.join(' ')}: ${show(run)}`;
    assert.is(run.code, 1, what);
    const message = args.includes('--json') ? jsonOf<{ error: { code: string; message: string } }>(run).error : { code: 'CONNECTION', message: run.stderr };
    assert.is(message.code, 'CONNECTION', what);
    assert.match(message.message, new RegExp(`The database did not answer \\(firestore at the emulator 127\\.0\\.0\\.1:${port}, project cli-unreachable-`), what);
    assert.not.match(run.stdout, /matches the repositories/, what);
  }
});

test('Firestore emulator on a closed port: health exits 1 without claiming the schema matches', async () => {
  const dir = stack(`  backend: firestore\n  project_id: cli-unreachable-${randomBytes(4).toString('hex')}\n  emulator_host: 127.0.0.1:${await closedPort()}\n`);
  const run = await runCli(['health', '--json'], { cwd: dir, env, timeoutMs: 120_000 });
  assert.is(run.code, 1, show(run));
  const report = jsonOf<{ ok: boolean; status: string; components: { name: string; status: string; error?: string }[] }>(run);
  assert.is(report.status, 'down', show(run));
  assert.is(report.ok, false, 'ok follows the exit code');
  const firestore = report.components.find((c) => c.name === 'firestore');
  assert.is(firestore?.status, 'down', show(run));
  assert.match(firestore?.error ?? '', /Firestore is unavailable during health/);
  assert.is(report.components.find((c) => c.name === 'schema'), undefined, `no schema verdict for a database that did not answer: ${show(run)}`);
});

test.after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
test.run();
