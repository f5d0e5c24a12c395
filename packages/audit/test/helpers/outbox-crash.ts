import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { verifyAuditTrail } from '@chatcore/audit';
import { openDb, type Backend } from './fixtures.js';

/** Below the runner's 600 s per file, leaving room for the checks after the kill. */
const GUARD_MS = 420_000;

/** Spawn the outbox writer, SIGKILL it once `acks` writes were acknowledged, return the acknowledged ids. */
function writeUntilKilled(backend: Backend, tag: string, dataDir: string | undefined, acks: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@chatcore/source', '--import', 'tsx', join(import.meta.dirname, 'outbox-writer-child.ts'), backend, tag, ...(dataDir ? [dataDir] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: string[] = [];
    let buffer = '';
    let err = '';
    // Only a stuck writer trips this: the 300 writes need about 12 s of CPU, minutes on 2 cores shared with other files.
    const guard = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`the writer acknowledged ${acked.length} of ${acks} writes in ${GUARD_MS / 1000} s: ${err}`)); }, GUARD_MS);
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) if (line.startsWith('ACK ')) acked.push(line.slice(4));
      // Killed right after a write returned: whatever it acknowledged must be there.
      if (acked.length >= acks && !child.killed) child.kill('SIGKILL');
    });
    child.on('close', (_code, signal) => {
      clearTimeout(guard);
      if (signal !== 'SIGKILL') reject(new Error(`writer ended without being killed: ${err}`));
      else resolve(acked);
    });
  });
}

/** Register: acknowledged writes all have their audit row after a SIGKILL, and the outbox chain verifies after restart. */
export function registerOutboxCrash(backend: Backend, dataDir: () => string | undefined): void {
  test(`${backend}: every write acknowledged before SIGKILL has its audit row in the outbox`, async () => {
    const tag = randomBytes(3).toString('hex');
    const acked = await writeUntilKilled(backend, tag, dataDir(), 300);
    assert.ok(acked.length >= 300);
    const { db, plugin } = await openDb(backend, { sinks: { outbox: true } }, { tag, ...(dataDir() ? { dataDir: dataDir()! } : {}) });
    try {
      const reader = plugin.outboxReader();
      const rows = await reader.rows();
      const audited = new Map<string, number>();
      for (const r of rows) {
        const e = (typeof r.event === 'string' ? JSON.parse(r.event) : r.event) as { ids: string[] };
        for (const id of e.ids) audited.set(id, (audited.get(id) ?? 0) + 1);
      }
      const expected = new Map<string, number>();
      for (const id of acked) expected.set(id, (expected.get(id) ?? 0) + 1);
      for (const [id, n] of expected) assert.ok((audited.get(id) ?? 0) >= n, `acknowledged write to ${id} has ${audited.get(id) ?? 0} audit rows, expected ${n}`);
      // connect() chained whatever the killed process left unchained.
      assert.is(await reader.pending(), 0);
      const report = await verifyAuditTrail(reader, await reader.checkpoints());
      assert.ok(report.ok, JSON.stringify(report.problem));
    } finally {
      await db.close();
    }
  });
  test.run();
}
