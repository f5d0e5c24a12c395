import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, defineRepository, DriverError, f } from '@chatcore/core';
import { pglite } from '../src/index.js';

// PGlite is single-process: a data directory is opened by one driver at a time.

const notes = defineRepository('notes', { id: f.id(), body: f.text() });
const root = mkdtempSync(join(tmpdir(), 'chatcore-pglite-lock-'));
let n = 0;
const freshDir = () => join(root, `d${++n}`);
const lockOf = (dir: string) => join(dir, '.chatcore.lock');

async function refusal(dir: string): Promise<DriverError> {
  const driver = pglite({ dataDir: dir });
  try {
    await driver.connect();
  } catch (err) {
    assert.instance(err, DriverError);
    return err as DriverError;
  } finally {
    await driver.close();
  }
  throw new Error('the second opener was not refused');
}

test('a second driver on an open data directory is refused naming the holder; after close it opens', async () => {
  const dir = freshDir();
  const first = createDatabase({ driver: pglite({ dataDir: dir }), repositories: { notes } });
  await first.connect();
  await first.notes.create({ body: 'one' });
  const lock = JSON.parse(readFileSync(lockOf(dir), 'utf8')) as { pid: number; host: string };
  assert.is(lock.pid, process.pid);
  assert.is(lock.host, hostname());
  const err = await refusal(dir);
  assert.match(err.message, /in use by this process/);
  assert.is(err.info.pid, process.pid);
  await first.close();
  assert.not.ok(existsSync(lockOf(dir)), 'close() removes the lock file');

  const second = createDatabase({ driver: pglite({ dataDir: dir }), repositories: { notes } });
  await second.connect();
  try {
    assert.is(await second.notes.count({}), 1);
  } finally {
    await second.close();
  }
});

test('a lock held by another live process is refused before any file is written', async () => {
  const dir = freshDir();
  mkdirSync(dir);
  writeFileSync(lockOf(dir), JSON.stringify({ pid: process.ppid, host: hostname(), startTicks: null, lockedAt: '2026-01-01T00:00:00.000Z' }));
  const err = await refusal(dir);
  assert.match(err.message, new RegExp(`in use by process ${process.ppid} on ${hostname()} since 2026-01-01`));
  assert.equal(readdirSync(dir), ['.chatcore.lock'], 'PGlite never created its files');
});

test('a lock written on another host is never presumed stale', async () => {
  const dir = freshDir();
  mkdirSync(dir);
  writeFileSync(lockOf(dir), JSON.stringify({ pid: 999_999_999, host: 'elsewhere.invalid', startTicks: null, lockedAt: '' }));
  const err = await refusal(dir);
  assert.match(err.message, /process 999999999 on elsewhere\.invalid/);
  assert.match(err.message, /delete .*\.chatcore\.lock/);
});

test('the lock of a process that is gone is taken over', async () => {
  const dir = freshDir();
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  mkdirSync(dir);
  writeFileSync(lockOf(dir), JSON.stringify({ pid: Number(gone.stdout), host: hostname(), startTicks: null, lockedAt: '' }));
  const db = createDatabase({ driver: pglite({ dataDir: dir }), repositories: { notes } });
  await db.connect();
  try {
    assert.is(JSON.parse(readFileSync(lockOf(dir), 'utf8')).pid, process.pid);
  } finally {
    await db.close();
  }
});

test('a lock left by an earlier process with this pid (a restarted container) is taken over', async () => {
  const dir = freshDir();
  mkdirSync(dir);
  writeFileSync(lockOf(dir), JSON.stringify({ pid: process.pid, host: hostname(), startTicks: 1, lockedAt: '' }));
  const driver = pglite({ dataDir: dir });
  await driver.connect();
  await driver.close();
  assert.not.ok(existsSync(lockOf(dir)));
});

test('a process that exits without closing leaves no lock behind', () => {
  const dir = freshDir();
  const script = `import { pglite } from '@chatcore/pglite';
const d = pglite({ dataDir: ${JSON.stringify(dir)} });
await d.connect();
process.stdout.write(String(require('node:fs').existsSync(${JSON.stringify(lockOf(dir))})));
process.exit(0);`.replace("require('node:fs')", '(await import("node:fs"))');
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: join(import.meta.dirname ?? '.', '..'), encoding: 'utf8' });
  assert.is(child.status, 0, child.stderr);
  assert.is(child.stdout, 'true');
  assert.not.ok(existsSync(lockOf(dir)), 'the exit handler removed the lock');
});

test('two processes opening one directory at once: one opens it, the other is refused', async () => {
  const dir = freshDir();
  // The one that opens holds the directory until both have answered (the test closes their stdin then), however
  // long the other takes to start on a loaded machine.
  const script = `import { pglite } from '@chatcore/pglite';
const d = pglite({ dataDir: ${JSON.stringify(dir)} });
try { await d.connect(); process.stdout.write('open'); await new Promise((r) => { process.stdin.on('end', r).resume(); }); }
catch (e) { process.stdout.write(e.code); }
await d.close();`;
  const children = [0, 1].map(() => spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: join(import.meta.dirname ?? '.', '..') }));
  const answered = children.map((child) => new Promise<void>((r) => { child.stdout.once('data', () => r()); child.once('close', () => r()); }));
  void Promise.all(answered).then(() => { for (const child of children) child.stdin.end(); });
  const results = await Promise.all(children.map((child) => new Promise<string>((done) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b));
    child.on('close', () => done(out));
  })));
  assert.equal(results.sort(), ['DRIVER', 'open']);
  assert.not.ok(existsSync(lockOf(dir)));
});

test('in-memory databases take no lock: two at once are fine', async () => {
  const a = pglite();
  const b = pglite();
  await Promise.all([a.connect(), b.connect()]);
  await Promise.all([a.close(), b.close()]);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
