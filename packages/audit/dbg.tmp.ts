import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CapturedSink, openDb } from './test/helpers/fixtures.js';
const sink = new CapturedSink();
const dir = await mkdtemp(join(tmpdir(), 'audit-redact-'));
try {
  const ctx = await openDb('pglite', { sinks: { console: { stream: sink.stream }, file: join(dir, 'audit.log'), outbox: true }, checkpoints: { file: join(dir, 'audit.checkpoints'), every: 5 }, recordRollbacks: true, slowQueryMs: 0 });
  console.log('opened');
  await ctx.db.close();
} catch (e) { console.log('ERR', e); }
