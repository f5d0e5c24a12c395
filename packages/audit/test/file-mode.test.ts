import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { gunzipSync } from 'node:zlib';
import { ConfigError, createDatabase, defineRepository, f } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { audit, verifyAuditTrail, type AuditOptions } from '@chatcore/audit';

// The usual umask: files created without an explicit mode would be 0644, readable by every local user.
process.umask(0o022);

const notes = defineRepository('notes', { id: f.id(), body: f.text() });
const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

async function writeTrail(options: AuditOptions, count = 5): Promise<void> {
  const plugin = audit({ reads: 'none', ...options });
  const db = createDatabase({ driver: memoryDriver(), repositories: { notes }, plugins: [plugin] });
  await db.connect();
  for (let i = 0; i < count; i++) {
    // Flushed in small batches, so that size rotation sees several writes.
    if (i % 10 === 0) await plugin.flush();
    await db.notes.create({ body: `note ${i} `.repeat(20) });
  }
  await db.close();
}

/** Trail files oldest first: by date, then by the counter of size rotation (`.log`, `.log.1`, ...). */
function trailOrder(names: string[]): string[] {
  const key = (n: string) => /^(.*?\.log)(?:\.(\d+))?(?:\.gz)?$/.exec(n)!;
  return [...names].sort((a, b) => {
    const [, baseA, nA] = key(a);
    const [, baseB, nB] = key(b);
    return baseA! < baseB! ? -1 : baseA! > baseB! ? 1 : Number(nA ?? 0) - Number(nB ?? 0);
  });
}

async function readLines(path: string): Promise<Record<string, unknown>[]> {
  const bytes = await readFile(path);
  const text = (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * Lists the directory and stats every entry in a tight loop on another
 * thread while the trail is written, so that a file readable by others even
 * for a moment is seen.
 */
function watchModes(dir: string): { stop(): Promise<{ seen: string[]; exposed: string[] }> } {
  const stopped = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(`
    const { readdirSync, statSync } = require('node:fs');
    const { join } = require('node:path');
    const { parentPort, workerData: { dir, stopped } } = require('node:worker_threads');
    const seen = new Set();
    const exposed = new Set();
    while (Atomics.load(stopped, 0) === 0) {
      for (const name of readdirSync(dir)) {
        const st = statSync(join(dir, name), { throwIfNoEntry: false });
        if (!st) continue;
        seen.add(name);
        if (st.mode & 0o077) exposed.add(name + ' ' + (st.mode & 0o777).toString(8));
      }
    }
    parentPort.postMessage({ seen: [...seen], exposed: [...exposed] });
  `, { eval: true, workerData: { dir, stopped } });
  const result = new Promise<{ seen: string[]; exposed: string[] }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    async stop() {
      Atomics.store(stopped, 0, 1);
      const r = await result;
      await worker.terminate();
      return r;
    },
  };
}

async function inTempDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'audit-mode-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('the audit file and the checkpoint file are created 0600 by default', () => inTempDir(async (dir) => {
  await writeTrail({ sinks: { file: join(dir, 'audit.log') }, checkpoints: { file: join(dir, 'audit.checkpoints'), every: 2 } });
  assert.is((await modeOf(join(dir, 'audit.log'))).toString(8), '600');
  assert.is((await modeOf(join(dir, 'audit.checkpoints'))).toString(8), '600');
}));

test('fileMode sets the mode of both files (e.g. 0640 for a log shipper group)', () => inTempDir(async (dir) => {
  await writeTrail({ sinks: { file: { path: join(dir, 'audit.log'), fileMode: 0o640 } }, checkpoints: { file: join(dir, 'audit.checkpoints'), fileMode: 0o640 } });
  assert.is((await modeOf(join(dir, 'audit.log'))).toString(8), '640');
  assert.is((await modeOf(join(dir, 'audit.checkpoints'))).toString(8), '640');
}));

test('a umask stricter than fileMode does not take bits from it: the files get exactly fileMode', () => inTempDir(async (dir) => {
  const old = process.umask(0o077);
  try {
    await writeTrail({ sinks: { file: { path: join(dir, 'audit.log'), fileMode: 0o640 } }, checkpoints: { file: join(dir, 'audit.checkpoints'), fileMode: 0o640, every: 2 } });
    await writeTrail({ sinks: { file: { path: join(dir, 'rotated-%DATE%.log'), fileMode: 0o640, rotate: { datePattern: 'YYYY' } } } });
  } finally {
    process.umask(old);
  }
  assert.is((await modeOf(join(dir, 'audit.log'))).toString(8), '640');
  assert.is((await modeOf(join(dir, 'audit.checkpoints'))).toString(8), '640');
  const rotated = (await readdir(dir)).filter((n) => n.startsWith('rotated-') && n.endsWith('.log'));
  assert.is(rotated.length, 1, rotated.join(', '));
  assert.is((await modeOf(join(dir, rotated[0]!))).toString(8), '640');
}));

test('rotated files and their .gz archives are never readable by others, not even while written, and the trail verifies', () => inTempDir(async (dir) => {
  const watcher = watchModes(dir);
  const count = 300;
  let watched: { seen: string[]; exposed: string[] };
  try {
    await writeTrail({ sinks: { file: { path: join(dir, 'audit-%DATE%.log'), rotate: { maxSize: '20k', zippedArchive: true } } }, checkpoints: { file: join(dir, 'audit.checkpoints') } }, count);
  } finally {
    watched = await watcher.stop();
  }
  // close() returns once every archive is complete: nothing is left to compress.
  const { seen, exposed } = watched;
  const names = await readdir(dir);
  assert.equal(exposed, [], 'files seen with group/other permission bits');
  assert.ok(seen.filter((n) => n.endsWith('.gz')).length >= 3, `archives seen while writing: ${seen.join(', ')}`);
  for (const name of names) assert.is((await modeOf(join(dir, name))).toString(8), '600', name);
  const trail = trailOrder(names.filter((n) => n.startsWith('audit-')));
  assert.ok(trail.filter((n) => n.endsWith('.gz')).length >= 3, trail.join(', '));
  assert.ok(!trail.some((n) => trail.includes(`${n}.gz`)), `a rotated file kept next to its archive: ${trail.join(', ')}`);
  const events = (await Promise.all(trail.map((n) => readLines(join(dir, n))))).flat();
  assert.is(events.filter((e) => e.type === 'operation').length, count, 'every operation is in a file or an archive');
  const report = await verifyAuditTrail(events, join(dir, 'audit.checkpoints'));
  assert.ok(report.ok, JSON.stringify(report.problem));
}));

test('maxFiles removes the archives of the files it rotates away', () => inTempDir(async (dir) => {
  await writeTrail({ sinks: { file: { path: join(dir, 'audit-%DATE%.log'), rotate: { maxSize: '20k', maxFiles: 2, zippedArchive: true } } }, checkpoints: { file: join(dir, 'audit.checkpoints') } }, 300);
  const trail = (await readdir(dir)).filter((n) => n.startsWith('audit-'));
  assert.is(trail.length, 2, trail.join(', '));
  assert.is(trail.filter((n) => n.endsWith('.gz')).length, 1, trail.join(', '));
}));

test('a fileMode that is not permission bits is a ConfigError', () => {
  for (const fileMode of [-1, 0o1000, 1.5]) {
    assert.throws(() => createDatabase({ driver: memoryDriver(), repositories: { notes }, plugins: [audit({ sinks: { console: true }, checkpoints: { file: 'x', fileMode } })] }), (e: unknown) => e instanceof ConfigError);
  }
});

test.run();
