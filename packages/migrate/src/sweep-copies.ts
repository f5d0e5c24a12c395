import type { Database, RepositoryMap } from '@chatcore/core';
import type { Condition } from '@chatcore/core/driver';
import type { DataStep } from './compile-migration.js';
import { copyPage } from './run-data-step.js';

/** Passes after which rows still arriving are left to the contract phase's own error (a writer that never stops). */
const MAX_PASSES = 10;

/**
 * After a copy step finished, copy again the rows written in the old layout
 * since it passed them: the previous release, still running during a
 * rolling deploy, creates rows with the old field set and the new one
 * unset. Dropping the old field would lose those values (and, for a
 * protected field, leave rows whose authenticator covers a value that is
 * gone, so every read of them fails). Each pass reads every row in id
 * order (the stored fields of the step only) and copies those whose new
 * field is unset while the old one holds a value; passes repeat until one
 * copies no row it had not copied already (a conversion may legitimately
 * give null). Returns the rows copied.
 *
 * @example
 * ```ts
 * const late = await sweepCopies(db, step, 4); // 3: rows the previous release wrote during the migration
 * ```
 */
export async function sweepCopies<R extends RepositoryMap>(db: Database<R>, step: DataStep & { kind: 'copy' }, concurrency: number): Promise<number> {
  const select = Object.keys(step.scan.fields);
  const copied = new Set<string>();
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let fresh = 0;
    let lastId: string | undefined;
    for (;;) {
      // No filter on the new field: on Firestore a document the previous release wrote lacks it, and no query matches a missing field.
      const where: Condition | undefined = lastId === undefined ? undefined : { kind: 'cmp', field: 'id', op: 'gt', value: lastId };
      const page = await db.driver.query(step.scan, { where, orderBy: [{ field: 'id', direction: 'asc' }], limit: step.batchSize, select }, {});
      if (page.length === 0) break;
      const todo = page.filter((row) => !copied.has(row.id as string) && step.pairs.some((p) => row[p.to] == null && row[p.from] != null));
      for (const id of todo.length === 0 ? [] : await copyPage(db, step, todo, concurrency)) {
        copied.add(id);
        fresh++;
      }
      lastId = page[page.length - 1]!.id as string;
      if (page.length < step.batchSize) break;
    }
    if (fresh === 0) break;
  }
  return copied.size;
}
