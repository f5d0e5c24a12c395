import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, createDatabase, defineRepository, f } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import { audit, type AuditOptions } from '@chatcore/audit';

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

test('rotated files and their compressed archives are 0600 too', () => inTempDir(async (dir) => {
  await writeTrail({ sinks: { file: { path: join(dir, 'audit-%DATE%.log'), rotate: { maxSize: '20k', zippedArchive: true } } }, checkpoints: { file: join(dir, 'audit.checkpoints') } }, 200);
  const trail = (await readdir(dir)).filter((n) => n.startsWith('audit-'));
  const plain = (n: string) => /\.log(\.\d+)?$/.test(n) || n.endsWith('.checkpoints');
  assert.ok(trail.some(plain), trail.join(', '));
  // Archives are compressed in the background after a rotation: wait (generously) until each is complete.
  const deadline = Date.now() + 60_000;
  let archives: string[] = [];
  for (;;) {
    archives = (await readdir(dir)).filter((n) => n.endsWith('.gz'));
    const modes = await Promise.all(archives.map((n) => modeOf(join(dir, n))));
    if (archives.length > 0 && modes.every((m) => m === 0o600)) break;
    if (Date.now() > deadline) assert.unreachable(`archives ${archives.join(', ')} have modes ${modes.map((m) => m.toString(8)).join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const name of (await readdir(dir)).filter(plain)) {
    assert.is((await modeOf(join(dir, name))).toString(8), '600', name);
  }
}));

test('a fileMode that is not permission bits is a ConfigError', () => {
  for (const fileMode of [-1, 0o1000, 1.5]) {
    assert.throws(() => createDatabase({ driver: memoryDriver(), repositories: { notes }, plugins: [audit({ sinks: { console: true }, checkpoints: { file: 'x', fileMode } })] }), (e: unknown) => e instanceof ConfigError);
  }
});

test.run();
