import type { MigrationRewriteStep } from '@chatcore/core/plugin';
import type { CompiledMigration } from './compile-migration.js';
import type { StepProgress } from './run-data-step.js';

/** Whether `id` comes at or before `last` in the order the steps walk rows (byte order, as the "C" collation). */
function atOrBefore(id: string, last: string): boolean {
  return Buffer.compare(Buffer.from(id, 'utf8'), Buffer.from(last, 'utf8')) <= 0;
}

/**
 * What data step `i` of a migration tells plugins as it starts (see
 * `Plugin.migrationRewrites`): the fields the migration adds to its
 * repository, and which rows it already rewrote. Those are the rows up to
 * the recorded position (`progress(j)`, saved after each batch commits, so
 * it holds across interrupted runs) of this step and of each earlier
 * backfill of the same repository without `where`, which reads and
 * rewrites every row (all rows once it is done). A copy, or a backfill with
 * `where`, rewrites only some of the rows it passes: a later step does not
 * count it.
 *
 * @example
 * ```ts
 * const release = plugin.migrationRewrites?.(step.repository, rewriteStep(compiled, i, (j) => steps[j]));
 * ```
 */
export function rewriteStep(compiled: CompiledMigration, i: number, progress: (j: number) => StepProgress | undefined): MigrationRewriteStep {
  const repository = compiled.data[i]!.repository;
  const covering = compiled.data
    .map((s, j) => ({ s, j }))
    .filter(({ s, j }) => s.repository === repository && (j === i || (j < i && s.kind === 'backfill' && s.where === undefined)))
    .map(({ j }) => j);
  return {
    adds: [...(compiled.added.get(repository) ?? [])],
    rewritten(id: string): boolean {
      return covering.some((j) => {
        const p = progress(j);
        return p !== undefined && (p.done || (p.lastId !== undefined && atOrBefore(id, p.lastId)));
      });
    },
  };
}
