// A `migrate up` runner in a child process (one of the child-migrate*.ts
// scripts), and the kill of one in the middle of its data step.
import { spawn, type ChildProcess } from 'node:child_process';
import * as assert from 'uvu/assert';
import type { MigrationBackend } from '@chatcore/core/driver';
import type { MigrateResult } from '../../src/index.js';

export interface RunnerChild {
  readonly proc: ChildProcess;
  readonly done: Promise<{ code: number | null; signal: string | null; out: string }>;
}

/** Start `script` (a child-migrate*.ts file) with its target and scenario. */
export function runnerChild(script: string, target: string, which: 'race' | 'slow'): RunnerChild {
  const proc = spawn(process.execPath, ['--conditions=@chatcore/source', '--import', 'tsx', script, target, which], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const done = new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal, out })));
  return { proc, done };
}

/**
 * Wait until the child's first data step has recorded `minRows` rows of
 * progress (polling the history every 100 ms, at most `polls` times), then
 * SIGKILL it and check that its run did not finish. Returns the rows
 * recorded at the kill.
 */
export async function killInDataStep(db: { readonly driver: { readonly migrations?: MigrationBackend } }, c: RunnerChild, minRows: number, polls: number): Promise<number> {
  const migrations = db.driver.migrations!;
  let rows = 0;
  for (let i = 0; i < polls && rows < minRows; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const h = await migrations.history().catch(() => []);
    const steps = (h[0]?.progress as { steps?: Array<{ rows: number }> } | undefined)?.steps;
    rows = steps?.[0]?.rows ?? 0;
  }
  assert.ok(rows >= minRows, 'the child made progress before the kill');
  c.proc.kill('SIGKILL');
  const exit = await c.done;
  assert.is(exit.signal, 'SIGKILL');
  const before = await migrations.history();
  assert.is(before[0]!.finishedAt, undefined, 'the killed run did not finish');
  return rows;
}

/**
 * After a runner killed in `slowFill`'s data step, check that `result` (the
 * next runner's) resumed it: applied and resumed once, no second expand, the
 * first batch after those recorded at the kill, every row labelled and the
 * contract phase done (`label` required, `name` gone).
 */
export async function assertResumedFill(
  db: { readonly driver: { readonly migrations?: MigrationBackend }; readonly jobs: { find(q: object): Promise<ReadonlyArray<{ label?: unknown; title?: unknown }>> } },
  result: MigrateResult, progress: readonly string[], rowsAtKill: number, rows: number,
): Promise<void> {
  assert.equal(result.applied, ['j001_slow_fill']);
  assert.equal(result.resumed, ['j001_slow_fill']);
  assert.not.ok(progress.includes('expand:'), 'the expand phase did not run again');
  const firstBatch = Number(progress.find((p) => p.startsWith('data:'))!.slice(5));
  assert.ok(firstBatch > rowsAtKill - 1, `resumed after the recorded batches (first report ${firstBatch}, ${rowsAtKill} recorded at the kill)`);
  const found = await db.jobs.find({ where: {}, orderBy: { id: 'asc' }, limit: 10_000 });
  assert.is(found.length, rows);
  assert.ok(found.every((r) => r.label === `job ${r.title}`));
  const cols = (await db.driver.migrations!.describe(['jobs'])).get('jobs')!.columns;
  assert.is(cols.get('label')!.nullable, false, 'label is required after the contract phase');
  assert.not.ok(cols.has('name'));
}
