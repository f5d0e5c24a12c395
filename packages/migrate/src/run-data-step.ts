import type { Database, RepositoryMap } from '@chatcore/core';
import type { Condition } from '@chatcore/core/driver';
import type { DataStep } from './compile-migration.js';

/**
 * Where a data step stands: the id of the last row of the last batch that
 * committed (rows are taken in id order), rows written so far, and whether
 * it finished.
 *
 * @example
 * ```ts
 * const p: StepProgress = { lastId: '0190...', rows: 1500, done: false };
 * ```
 */
export interface StepProgress {
  readonly lastId?: string | undefined;
  readonly rows: number;
  readonly done: boolean;
}

type AnyRepo = {
  find(query: unknown): Promise<Array<Record<string, unknown>>>;
  update(id: string, patch: unknown): Promise<unknown>;
};

function repoOf(scope: unknown, key: string): AnyRepo {
  return (scope as Record<string, AnyRepo>)[key]!;
}

/**
 * Run one data step from `progress` to the end, one transaction per batch
 * through the repositories, calling `save` after each batch commits. A
 * `copy` step reads the old stored values with the driver (the repositories
 * no longer declare them) and writes the new field through the repository;
 * rows whose new field is already set are skipped, so a rerun never
 * rewrites them. A `backfill` step reads and writes through the repository.
 *
 * @example
 * ```ts
 * await runDataStep(db, step, { rows: 0, done: false }, (p) => backend.saveProgress(id, { ...progress, [i]: p }));
 * ```
 */
export async function runDataStep<R extends RepositoryMap>(
  db: Database<R>,
  step: DataStep,
  progress: StepProgress,
  save: (progress: StepProgress) => Promise<void>,
): Promise<StepProgress> {
  let { lastId, rows } = progress;
  for (;;) {
    let ids: string[];
    if (step.kind === 'copy') {
      const conditions: Condition[] = [
        { kind: 'isNull', field: step.to, isNull: true },
        { kind: 'isNull', field: step.from, isNull: false },
      ];
      if (lastId !== undefined) conditions.push({ kind: 'cmp', field: 'id', op: 'gt', value: lastId });
      const batch = await db.driver.query(step.scan, { where: { kind: 'and', conditions }, orderBy: [{ field: 'id', direction: 'asc' }], limit: step.batchSize, select: ['id', step.from] }, {});
      if (batch.length === 0) break;
      const patches = batch.map((row) => ({ id: row.id as string, value: step.read(row) }));
      await db.transaction(async (tx) => {
        const repo = repoOf(tx, step.key);
        for (const p of patches) await repo.update(p.id, { [step.to]: p.value });
      });
      ids = patches.map((p) => p.id);
    } else {
      const idAfter = lastId === undefined ? undefined : { id: { gt: lastId } };
      const where = step.where && idAfter ? { and: [step.where, idAfter] } : (step.where ?? idAfter ?? {});
      const batch = await repoOf(db, step.key).find({ where, orderBy: { id: 'asc' }, limit: step.batchSize });
      if (batch.length === 0) break;
      await db.transaction(async (tx) => {
        const repo = repoOf(tx, step.key);
        for (const row of batch) {
          const patch = await step.fn(row as never);
          if (patch && Object.keys(patch).length > 0) await repo.update(row.id as string, patch);
        }
      });
      ids = batch.map((r) => r.id as string);
    }
    lastId = ids[ids.length - 1];
    rows += ids.length;
    await save({ lastId, rows, done: false });
    if (ids.length < step.batchSize) break;
  }
  const done = { lastId, rows, done: true };
  await save(done);
  return done;
}
