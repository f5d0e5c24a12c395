import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAuditTrail } from '@chatcore/audit';
import { openDb } from './helpers/fixtures.js';

function runChild(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--conditions=@chatcore/source', '--import', 'tsx', join(import.meta.dirname, 'helpers', 'file-writer-child.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    // Generous: the child must exit by itself; a hang means an open handle.
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, out, ms: Date.now() - started }); });
  });
}

test('a process writing 10,000 operations with the file sink exits on its own after close, with every event in the file and a verifying chain', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'audit-file-'));
  try {
    const r = await runChild([dir, '10000']);
    assert.equal([r.code, r.signal], [0, null], r.out);
    const lines = (await readFile(join(dir, 'audit.log'), 'utf8')).split('\n').filter(Boolean);
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const ops = events.filter((e) => e.type === 'operation');
    assert.is(ops.length, 10_000);
    assert.is(new Set(ops.map((e) => (e.ids as string[])[0])).size, 10_000);
    assert.equal(events.at(-1)!.action, 'stream_closed');
    const report = await verifyAuditTrail(join(dir, 'audit.log'), join(dir, 'audit.checkpoints'));
    assert.ok(report.ok, JSON.stringify(report.problem));
    assert.is(report.events, lines.length);
    assert.is(report.streams[0]!.checkpointSeq, lines.length, 'the final checkpoint covers the tail');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('with daily rotation (winston-daily-rotate-file) the process also exits on its own and loses nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'audit-rotate-'));
  try {
    const r = await runChild([dir, '3000', 'rotate']);
    assert.equal([r.code, r.signal], [0, null], r.out);
    const files = (await readdir(dir)).filter((f) => f.startsWith('audit-') && f.endsWith('.log')).sort().map((f) => join(dir, f));
    assert.ok(files.length >= 1);
    const report = await verifyAuditTrail(files, join(dir, 'audit.checkpoints'));
    assert.ok(report.ok, JSON.stringify(report.problem));
    assert.is((await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('').split('\n').filter((l) => l.includes('"type":"operation"')).length, 3000);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('with size rotation (rotate.maxSize) every event lands in one of the files and the files verify in order', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'audit-size-'));
  try {
    const { db, plugin } = await openDb('memory', { sinks: { file: { path: join(dir, 'audit-%DATE%.log'), rotate: { maxSize: '20k' } } }, checkpoints: { file: join(dir, 'audit.checkpoints') }, reads: 'none' });
    for (let i = 0; i < 300; i++) {
      if (i % 50 === 0) await plugin.flush();
      await db.users.create({ name: `n${i}`, email: `e${i}@x.io` } as never);
    }
    await db.close();
    // audit-<date>.log, then .log.1, .log.2, ... (oldest first)
    const files = (await readdir(dir)).filter((f) => /^audit-.*\.log(\.\d+)?$/.test(f))
      .sort((a, b) => Number(a.match(/\.log\.(\d+)$/)?.[1] ?? 0) - Number(b.match(/\.log\.(\d+)$/)?.[1] ?? 0)).map((f) => join(dir, f));
    assert.ok(files.length > 3, files.join(','));
    const text = (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('');
    assert.is(text.split('\n').filter((l) => l.includes('"type":"operation"')).length, 300);
    const report = await verifyAuditTrail(files, join(dir, 'audit.checkpoints'));
    assert.ok(report.ok, JSON.stringify(report.problem));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
