import { createHash } from 'node:crypto';
import { canonicalStep } from './define-migration.js';
import type { MigrationStep } from './migration-steps.js';
import type { StepProgress } from './run-data-step.js';

/**
 * What a started migration's progress keeps of each step, so that an edit
 * made after a failure can be told apart from one to work already done:
 * `shape` digests what the expand phase applied (the kind, names and
 * fields), `code` the whole step (with a data step's function, `where` and
 * `batchSize`), and `data` is the index of the data step it feeds, if any.
 *
 * @example
 * ```ts
 * const print: StepFingerprint = { shape: '3f1c…', code: '9a0b…', data: 0 };
 * ```
 */
export interface StepFingerprint {
  readonly shape: string;
  readonly code: string;
  readonly data: number | null;
}

/** What only the data phase reads: it may change while the data step it feeds has written nothing. */
const DATA_ONLY = new Set(['fn', 'convert', 'where', 'batchSize']);

const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);

function digests(step: MigrationStep): { shape: string; code: string } {
  const whole = canonicalStep(step) as Record<string, unknown>;
  return { shape: digest(Object.fromEntries(Object.entries(whole).filter(([k]) => !DATA_ONLY.has(k)))), code: digest(whole) };
}

/**
 * The fingerprint of each step, with the data step it feeds (from
 * `compileMigration`'s `dataStepOf`).
 *
 * @example
 * ```ts
 * const fingerprint = fingerprintSteps(steps, compiled.dataStepOf);
 * ```
 */
export function fingerprintSteps(steps: readonly MigrationStep[], dataStepOf: readonly (number | undefined)[]): StepFingerprint[] {
  return steps.map((s, i) => ({ ...digests(s), data: dataStepOf[i] ?? null }));
}

/**
 * Whether the edited steps of a started, unfinished migration may be
 * resumed: `edited` lists the steps that changed, all of them data steps
 * that have not written a batch. Otherwise `step` (when one is to blame)
 * and `why`: `unknown` (the progress does not say which steps ran: the
 * expand phase has not committed, or an older version recorded it),
 * `count` (steps added or removed), `applied` (a step the expand phase
 * applied), `started` (a data step that wrote batches or finished).
 *
 * @example
 * ```ts
 * const verdict: EditVerdict = { resumable: false, step: 0, why: 'applied' };
 * ```
 */
export type EditVerdict =
  | { readonly resumable: true; readonly edited: readonly number[] }
  | { readonly resumable: false; readonly why: 'unknown' | 'count' | 'applied' | 'started'; readonly step?: number; readonly rows?: number };

/**
 * Judge an edit to a started migration against its recorded progress:
 * nothing may change of what was applied (the steps the expand phase ran,
 * a data step that wrote a batch or finished); the function, `where` or
 * `batchSize` of a data step that wrote nothing may.
 *
 * @example
 * ```ts
 * const verdict = judgeEdit(record.progress, recordSteps(migration).steps);
 * if (verdict.resumable) console.log(`steps ${verdict.edited.join(', ')} changed before they ran`);
 * ```
 */
export function judgeEdit(progress: Readonly<Record<string, unknown>>, steps: readonly MigrationStep[]): EditVerdict {
  const recorded = progress.fingerprint as readonly StepFingerprint[] | undefined;
  if (progress.phase !== 'data' || !Array.isArray(recorded)) return { resumable: false, why: 'unknown' };
  if (recorded.length !== steps.length) return { resumable: false, why: 'count' };
  const done = (progress.steps ?? []) as readonly (StepProgress | null | undefined)[];
  const edited: number[] = [];
  for (const [i, step] of steps.entries()) {
    const now = digests(step);
    const then = recorded[i]!;
    if (now.code === then.code) continue;
    if (now.shape !== then.shape) return { resumable: false, why: 'applied', step: i };
    const ran = then.data === null ? undefined : done[then.data];
    if (ran && (ran.rows > 0 || ran.done)) return { resumable: false, why: 'started', step: i, rows: ran.rows };
    edited.push(i);
  }
  return { resumable: true, edited };
}
