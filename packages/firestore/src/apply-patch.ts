import { ValidationError, type FieldMeta, type NormalizedPatch, type RepositorySchema, type StoredRow } from '@chatcore/core';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * The row after a patch: `set` values replace, increments add (a null stays
 * null, as in SQL). Results the field's storage range cannot hold raise
 * ValidationError before anything is written: int32 for integers and
 * versions (int64 when declared with wider bounds), as a SQL column, so
 * every backend refuses the same increments.
 *
 * @example
 * ```ts
 * applyPatch(schema, { id: 'a', n: 1, version: 3 }, { set: {}, increment: { n: 2, version: 1 } }); // n: 3, version: 4
 * ```
 */
export function applyPatch(schema: RepositorySchema, row: StoredRow, patch: NormalizedPatch): StoredRow {
  const next: StoredRow = { ...row };
  for (const [k, v] of Object.entries(patch.set)) next[k] = v;
  for (const [k, by] of Object.entries(patch.increment)) {
    const current = next[k];
    if (current === null || current === undefined) continue;
    if (typeof current === 'bigint') {
      const sum = current + BigInt(by);
      if (sum < INT64_MIN || sum > INT64_MAX) throw new ValidationError([{ path: `${k}.increment`, message: `the result leaves the 64-bit range of ${schema.name}.${k}` }], 'patch');
      next[k] = sum;
    } else {
      const sum = (current as number) + Number(by);
      const meta = schema.fields[k];
      if (meta && !fits(meta, sum)) {
        throw new ValidationError([{ path: `${k}.increment`, message: `the result leaves the range of ${schema.name}.${k}` }], 'patch');
      }
      next[k] = sum;
    }
  }
  return next;
}

function fits(meta: FieldMeta, v: number): boolean {
  if (meta.type === 'number') return Number.isFinite(v);
  if (meta.type !== 'integer' && meta.type !== 'version') return true;
  const wide = (meta.min !== undefined && Number(meta.min) < INT32_MIN) || (meta.max !== undefined && Number(meta.max) > INT32_MAX);
  return wide ? Number.isSafeInteger(v) : v >= INT32_MIN && v <= INT32_MAX;
}
