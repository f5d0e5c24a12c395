import type { NormalizedPatch } from '../query/condition.js';
import type { StoredRow } from '../driver/driver.js';
import { copyValue } from './copy-value.js';

/**
 * The row after a patch, as a new object: `set` values replace, then
 * `increment` adds to the value the row had before (SQL `col = col + n`),
 * so a null stays null as it does in SQL.
 *
 * @example
 * ```ts
 * applyPatch({ id: 'a', n: 1, version: 1 }, { set: {}, increment: { n: 2, version: 1 } }); // { id: 'a', n: 3, version: 2 }
 * ```
 */
export function applyPatch(row: StoredRow, patch: NormalizedPatch): StoredRow {
  const next: StoredRow = { ...row };
  for (const key of Object.keys(patch.set)) next[key] = copyValue(patch.set[key]);
  for (const key of Object.keys(patch.increment)) {
    const by = patch.increment[key]!;
    const current = row[key];
    if (current === null || current === undefined) next[key] = null;
    else if (typeof current === 'bigint') next[key] = current + BigInt(by);
    else next[key] = Number(current) + Number(by);
  }
  return next;
}
