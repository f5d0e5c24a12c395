import { ConflictError, MigrationError, type Database, type RepositoryMap } from '@chatcore/core';
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
  getMany(ids: readonly string[]): Promise<Array<Record<string, unknown>>>;
  update(id: string, patch: unknown): Promise<unknown>;
};

function repoOf(scope: unknown, key: string): AnyRepo {
  return (scope as Record<string, AnyRepo>)[key]!;
}

/** A backfill gave undefined for a field that becomes required: the value was never written (a skeleton's TODO). */
function unfilled(step: DataStep & { kind: 'backfill' }, field: string, id: string, rows: number): never {
  throw new MigrationError(
    `The backfill of ${step.repository} returned ${field}: undefined (record ${id}), and ${field} becomes required at the end of this migration: ` +
      `give it a value (replace the TODO in the migration file). Nothing of this batch was written and the step is not done; ` +
      (rows === 0 ? 'it wrote nothing yet, so it may still be edited: migrate resumes with the edit.' : `it already wrote ${rows} row(s), so its code may no longer change.`),
    { info: { repository: step.repository, field, record: id, reason: 'undefined-value' } },
  );
}

/** Split a batch into `n` slices written by concurrent transactions; the batch counts as done when all committed. */
async function inSlices<T>(items: readonly T[], n: number, write: (slice: readonly T[]) => Promise<unknown>): Promise<void> {
  const size = Math.ceil(items.length / Math.max(1, n));
  const slices: T[][] = [];
  for (let at = 0; at < items.length; at += size) slices.push(items.slice(at, at + size));
  await Promise.all(slices.map(write));
}

/** Attempts at a page whose rows other writers keep changing between its read and its write. */
const COPY_ATTEMPTS = 5;

/**
 * Copy one page of a copy step's rows (read with the driver, old and new
 * fields): each row whose new field is unset while the old one holds a
 * value gets the value written through the repository. The page is first
 * read through the repository too, so the plugins see (and audit) the read.
 * A row written by another process between the read and the write (the
 * previous release, still on the old names during a rolling deploy) fails
 * its write with ConflictError: the page is read again and copied again
 * (rows already copied are skipped), up to 5 times. Returns the ids of the
 * rows it wrote.
 *
 * @example
 * ```ts
 * const written = await copyPage(db, step, await db.driver.query(step.scan, { limit: 100 }, {}), 4);
 * ```
 */
export async function copyPage<R extends RepositoryMap>(db: Database<R>, step: DataStep & { kind: 'copy' }, page: ReadonlyArray<Record<string, unknown>>, concurrency: number): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await copyOnce(db, step, page, concurrency);
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= COPY_ATTEMPTS) throw error;
      const ids = page.map((row) => row.id as string);
      page = await db.driver.query(step.scan, { where: { kind: 'in', field: 'id', values: ids, negate: false }, orderBy: [{ field: 'id', direction: 'asc' }], select: Object.keys(step.scan.fields) }, {});
    }
  }
}

async function copyOnce<R extends RepositoryMap>(db: Database<R>, step: DataStep & { kind: 'copy' }, page: ReadonlyArray<Record<string, unknown>>, concurrency: number): Promise<string[]> {
  // Rows with some value still to copy: the new field is unset and the old one holds a value.
  const patches = page.map((row) => {
    const patch: Record<string, unknown> = {};
    for (const p of step.pairs) if (row[p.to] == null && row[p.from] != null) patch[p.to] = p.read(row);
    return { id: row.id as string, patch };
  });
  await repoOf(db, step.key).getMany(patches.map((p) => p.id));
  const todo = patches.filter((p) => Object.keys(p.patch).length > 0);
  await inSlices(todo, concurrency, (slice) => db.transaction(async (tx) => {
    const repo = repoOf(tx, step.key);
    for (const p of slice) await repo.update(p.id, p.patch);
  }));
  return todo.map((p) => p.id);
}

/**
 * Run one data step from `progress` to the end, one transaction per batch
 * through the repositories, calling `save` after each batch commits. Every
 * batch is read through the repository, so the plugins see the read (audit
 * records it). A `copy` step first reads the old stored values with the
 * driver (the repositories no longer declare them), then the same rows
 * through the repository, and writes the new field through the repository; rows whose new field is
 * already set are skipped, so a rerun never rewrites them. A `backfill`
 * step reads and writes through the repository; it computes every patch
 * of a batch before writing any, and a patch that gives undefined for a
 * required field this migration adds (a skeleton's TODO) fails the step
 * (MigrationError, `info.field`) before that batch is written.
 * With `concurrency` > 1 a batch is written by that many transactions at
 * once (on separate connections); progress still moves only when the whole
 * batch committed.
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
  concurrency = 1,
): Promise<StepProgress> {
  let { lastId, rows } = progress;
  for (;;) {
    let ids: string[];
    if (step.kind === 'copy') {
      // The old stored values, which no repository declares any more, are read with the driver (a rename's
      // reader remembers what it opened, so the row authenticator can still be checked under the old names)...
      // The scan's fields: the id, each pair's old and new field, and what a reader also reads (alsoRead).
      const select = Object.keys(step.scan.fields);
      const after: Condition | undefined = lastId === undefined ? undefined : { kind: 'cmp', field: 'id', op: 'gt', value: lastId };
      const page = await db.driver.query(step.scan, { where: after, orderBy: [{ field: 'id', direction: 'asc' }], limit: step.batchSize, select }, {});
      if (page.length === 0) break;
      await copyPage(db, step, page, concurrency);
      ids = page.map((row) => row.id as string);
    } else {
      const idAfter = lastId === undefined ? undefined : { id: { gt: lastId } };
      const where = step.where && idAfter ? { and: [step.where, idAfter] } : (step.where ?? idAfter ?? {});
      const batch = await repoOf(db, step.key).find({ where, orderBy: { id: 'asc' }, limit: step.batchSize });
      if (batch.length === 0) break;
      // The whole batch's patches are computed and checked before any of them is written.
      const patches: Array<{ id: string; patch: Record<string, unknown> }> = [];
      for (const row of batch) {
        const patch = (await step.fn(row as never)) as Record<string, unknown> | undefined;
        for (const field of step.fills) if (patch && Object.hasOwn(patch, field) && patch[field] === undefined) unfilled(step, field, row.id as string, rows);
        if (patch && Object.keys(patch).length > 0) patches.push({ id: row.id as string, patch });
      }
      await inSlices(patches, concurrency, (slice) => db.transaction(async (tx) => {
        const repo = repoOf(tx, step.key);
        for (const p of slice) await repo.update(p.id, p.patch);
      }));
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
