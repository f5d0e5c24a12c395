import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAuditTrail } from '@chatcore/audit';
import { openDb } from './helpers/fixtures.js';

// A configured `stream` names the writer; each run still gets a chain of
// its own, so restarts appending to one file and one checkpoint file verify.

test('two runs with the same stream option appending to one trail verify, as two streams named by it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'audit-fixed-stream-'));
  try {
    const file = join(dir, 'audit.log');
    const checkpoints = join(dir, 'audit.checkpoints');
    const streams: string[] = [];
    for (let run = 0; run < 2; run++) {
      const { db, plugin } = await openDb('memory', { stream: 'api', sinks: { file }, checkpoints: { file: checkpoints, every: 5 } });
      streams.push(plugin.stream);
      for (let i = 0; i < 6 + run * 3; i++) await db.users.create({ name: `n${i}`, email: `r${run}-${i}@x.io` } as never);
      await db.close();
    }
    assert.ok(streams.every((s) => s.startsWith('api:')), streams.join(', '));
    assert.is(new Set(streams).size, 2);
    const report = await verifyAuditTrail(file, checkpoints);
    assert.ok(report.ok, JSON.stringify(report.problem));
    assert.equal(report.streams.map((s) => s.stream), streams);
    assert.equal(report.warnings, []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
