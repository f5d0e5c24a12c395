import { ValidationError } from '../errors.js';
import type { NormalizedPatch } from '../query/condition.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import type { FieldMeta } from '../schema/field-meta.js';
import type { StoredRow } from '../driver/driver.js';
import { INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, isWideInteger } from '../schema/integer-range.js';
import { copyValue } from './copy-value.js';

/**
 * The row after a patch, as a new object: `set` values replace, then
 * `increment` adds to the value the row had before (SQL `col = col + n`),
 * so a null stays null as it does in SQL. An increment whose result the
 * field's storage type cannot hold (int32, or int64 for bigint and for
 * integers declared with wider bounds; a finite double) raises
 * ValidationError, as a SQL column would refuse it.
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
    const meta = schema.fields[key];
    if (meta && next[key] !== null && !fits(meta, next[key])) {
      throw new ValidationError([{ path: `${key}.increment`, message: `the result leaves the range of ${schema.name}.${key}` }], { context: 'patch' });
    }
  }
  return next;
}

function fits(meta: FieldMeta, v: unknown): boolean {
  if (typeof v === 'bigint') return v >= INT64_MIN && v <= INT64_MAX;
  if (typeof v !== 'number') return true;
  if (meta.type === 'number') return Number.isFinite(v);
  return isWideInteger(meta) ? Number.isSafeInteger(v) : v >= INT32_MIN && v <= INT32_MAX;
}
