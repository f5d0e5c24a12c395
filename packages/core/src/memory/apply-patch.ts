import { ValidationError } from '../errors.js';
import type { NormalizedPatch } from '../query/condition.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import type { StoredRow } from '../driver/driver.js';
import { incrementIssue } from '../schema/increment-range.js';
import { copyValue } from './copy-value.js';

/**
 * The row after a patch, as a new object: `set` values replace, then
 * `increment` adds to the value the row had before (SQL `col = col + n`),
 * so a null stays null as it does in SQL. An increment whose result passes
 * the field's declared `min`/`max`, or that its storage type cannot hold
 * (int32, ±(2^53 - 1) for integers declared with wider bounds, int64 for
 * bigint, a finite double), raises ValidationError (see `incrementIssue`),
 * as the SQL statement's check would refuse it.
 *
 * @example
 * ```ts
 * applyPatch(schema, { id: 'a', n: 1, version: 1 }, { set: {}, increment: { n: 2, version: 1 } }); // { id: 'a', n: 3, version: 2 }
 * ```
 */
export function applyPatch(schema: RepositorySchema, row: StoredRow, patch: NormalizedPatch): StoredRow {
  const next: StoredRow = { ...row };
  for (const key of Object.keys(patch.set)) next[key] = copyValue(patch.set[key]);
  for (const key of Object.keys(patch.increment)) {
    const by = patch.increment[key]!;
    const current = row[key];
    if (current === null || current === undefined) next[key] = null;
    else if (typeof current === 'bigint') next[key] = current + BigInt(by);
    else next[key] = Number(current) + Number(by);
    const v = next[key];
    if (v !== null) {
      const issue = incrementIssue(schema, key, v as number | bigint);
      if (issue) throw new ValidationError([issue], { context: 'patch' });
    }
  }
  return next;
}
