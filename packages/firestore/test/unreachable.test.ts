import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { AbortedError, ConfigError, ConnectionError, createDatabase, defineRepository, f, TimeoutError } from '@chatcore/core';
import { closedPort } from '@chatcore/core/testing';
import { firestore, type FirestoreOptions } from '../src/index.js';

// No emulator needed: every call here goes to a port where nothing listens.
// Bounds are generous (2 shared cores); the SDK used to retry for minutes.
process.env.METADATA_SERVER_DETECTION ??= 'none';
const BOUND_MS = 15_000;

const port = await closedPort();
const notes = defineRepository('notes', { id: f.id(), body: f.text(), n: f.integer().optional() }, { table: 'unreachable_notes' });
const open = (options: Partial<FirestoreOptions> = {}) =>
  createDatabase({ driver: firestore({ projectId: 'nobody', emulatorHost: `127.0.0.1:${port}`, callTimeout: '2s', ...options }), repositories: { notes } });

async function failure(fn: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  try {
    await fn();
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
  assert.unreachable('the call against a closed port succeeded');
  throw new Error('unreachable');
}

test('writes and reads against a closed port fail with ConnectionError well within the bound', async () => {
  const db = open();
  await db.connect();
  const calls: [string, () => Promise<unknown>][] = [
    ['create', () => db.notes.create({ body: 'x' })],
    ['createMany', () => db.notes.createMany([{ body: 'a' }, { body: 'b' }])],
    ['get', () => db.notes.get('some-id')],
    ['find', () => db.notes.find({ where: { body: 'x' }, limit: 5 })],
    ['count', () => db.notes.count({ n: { gt: 1 } })],
    ['update', () => db.notes.update('some-id', { body: 'y' })],
    ['deleteMany', () => db.notes.deleteMany({ body: 'x' })],
  ];
  for (const [name, call] of calls) {
    const { error, ms } = await failure(call);
    assert.instance(error, ConnectionError, `${name}: ${(error as Error).message}`);
    assert.match((error as Error).message, /unavailable/, name);
    assert.ok(ms < BOUND_MS, `${name} took ${ms} ms`);
  }
  const closing = Date.now();
  await db.close();
  assert.ok(Date.now() - closing < BOUND_MS, 'close does not wait on retries');
});

test('a transaction against a closed port fails with ConnectionError and is not re-run as if contended', async () => {
  const db = open({ maxTransactionAttempts: 10 });
  await db.connect();
  let attempts = 0;
  const { error, ms } = await failure(() => db.transaction(async (tx) => {
    attempts++;
    await tx.notes.get('some-id');
  }));
  assert.instance(error, ConnectionError);
  assert.is(attempts, 1);
  assert.ok(ms < BOUND_MS, `took ${ms} ms`);
  await db.close();
});

test('a server that accepts connections but never answers gives TimeoutError within the bound', async () => {
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((socket) => { sockets.add(socket); socket.on('error', () => {}); });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const silentPort = (silent.address() as net.AddressInfo).port;
  const db = createDatabase({ driver: firestore({ projectId: 'nobody', emulatorHost: `127.0.0.1:${silentPort}`, callTimeout: '2s' }), repositories: { notes } });
  await db.connect();
  try {
    for (const [name, call] of [['create', () => db.notes.create({ body: 'x' })], ['get', () => db.notes.get('some-id')]] as const) {
      const { error, ms } = await failure(call);
      assert.instance(error, TimeoutError, `${name}: ${(error as Error).message}`);
      assert.ok(ms < BOUND_MS, `${name} took ${ms} ms`);
    }
  } finally {
    await db.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});

test("the caller's timeout ends the retries too, and close returns at once", async () => {
  // A retry budget far beyond the call's timeout: the timeout must end it.
  const db = open({ callTimeout: '60s', retry: { maxRetries: 100, initialDelay: 100, maxDelay: 200 } });
  await db.connect();
  const { error, ms } = await failure(() => db.notes.create({ body: 'x' }, { timeout: 500 }));
  // TimeoutError, or the last real answer when no retry fitted before the deadline.
  assert.ok(error instanceof TimeoutError || error instanceof ConnectionError, `${String(error)} after ${ms} ms`);
  assert.ok(ms < 3000, `the retries went on for ${ms} ms past a 500 ms timeout`);
  // Were the commit still retrying (60 s of callTimeout), close would wait for it.
  const closing = Date.now();
  await db.close();
  assert.ok(Date.now() - closing < BOUND_MS, `close took ${Date.now() - closing} ms`);
});

test("the caller's signal ends the call with AbortedError and stops the SDK's retries", async () => {
  const db = open({ callTimeout: '60s', retry: { maxRetries: 100, initialDelay: 100, maxDelay: 200 } });
  await db.connect();
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 300);
  const { error } = await failure(() => db.notes.count({}, { signal: controller.signal }));
  assert.instance(error, AbortedError);
  const closing = Date.now();
  await db.close();
  assert.ok(Date.now() - closing < BOUND_MS, `close took ${Date.now() - closing} ms`);
});

test("a transaction's signal also ends the retries of a read in it that has its own timeout", async () => {
  const db = open({ callTimeout: '60s', retry: { maxRetries: 100, initialDelay: 100, maxDelay: 200 } });
  await db.connect();
  const controller = new AbortController();
  let read: Promise<number> | undefined;
  const { error } = await failure(() => db.transaction(async (tx) => {
    const started = Date.now();
    const elapsed = () => Date.now() - started;
    read = tx.notes.get('some-id', { timeout: '60s' }).then(elapsed, elapsed);
    setTimeout(() => controller.abort(), 300);
    await read;
  }, { signal: controller.signal }));
  assert.instance(error, AbortedError);
  // Left to its own timeout, the read would retry for 10 s or more (100 retries, 100-200 ms apart).
  const ms = await read!;
  assert.ok(ms < 3000, `the read went on for ${ms} ms after its transaction was aborted`);
  await db.close();
});

test("the driver's SDK client carries the request deadlines (the 8.x internals they replace exist)", () => {
  const driver = firestore({ projectId: 'p', emulatorHost: `127.0.0.1:${port}` });
  const client = driver.firestore as object;
  assert.ok(Object.hasOwn(client, 'createCallOptions') && Object.hasOwn(client, '_retry'), 'SDK internals changed: see sdk-deadlines.ts');
  assert.ok(Object.hasOwn(client, 'request') && typeof (client as { _clientPool?: { run?: unknown } })._clientPool?.run === 'function', 'SDK internals changed: see sdk-commits.ts');
  void driver.close();
});

test('callTimeout takes milliseconds or a duration, defaults to 20 s, and bad values raise ConfigError', () => {
  assert.is(firestore({ projectId: 'p' }).options.callTimeoutMs, 20_000);
  assert.is(firestore({ projectId: 'p', callTimeout: '5s' }).options.callTimeoutMs, 5000);
  assert.is(firestore({ projectId: 'p', callTimeout: 750 }).options.callTimeoutMs, 750);
  for (const bad of [0, -1, 'soon', Number.NaN]) {
    assert.throws(() => firestore({ projectId: 'p', callTimeout: bad as never }), (e: unknown) => e instanceof ConfigError && /callTimeout/.test((e as Error).message), String(bad));
  }
});

test('a process whose only call met a closed port exits on its own after db.close()', async () => {
  const child = fileURLToPath(new URL('./helpers/unreachable-child.ts', import.meta.url));
  const proc = spawn(process.execPath, ['--conditions=@chatcore/source', '--import', 'tsx', child, String(port), '2s'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  // Measured from the call's result (then db.close()): loading the SDK alone took 50 s at load average 35 on two cores.
  let resultAt: number | undefined;
  proc.stdout.on('data', (d) => { out += d; if (resultAt === undefined && out.includes('RESULT')) resultAt = Date.now(); });
  proc.stderr.on('data', (d) => { out += d; });
  // Guard only: a child still alive after 240 s is killed and the test fails.
  const guard = setTimeout(() => proc.kill('SIGKILL'), 240_000);
  const code = await new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
  clearTimeout(guard);
  assert.is(code, 0, out);
  assert.match(out, /RESULT ConnectionError/);
  assert.ok(Date.now() - resultAt! < 30_000, `the child ran ${Date.now() - resultAt!} ms after its call failed`);
});

test.run();
