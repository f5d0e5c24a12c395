import { ValidationError, type NormalizedPatch, type RepositorySchema, type StoredRow } from '@chatcore/core';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * The row after a patch: `set` values replace, increments add (a null stays
 * null, as in SQL). Results that Firestore's integers cannot hold raise
 * ValidationError before anything is written.
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
      const type = schema.fields[k]?.type;
      if ((type === 'integer' || type === 'version') && !Number.isSafeInteger(sum)) {
        throw new ValidationError([{ path: `${k}.increment`, message: `the result is not a safe integer for ${schema.name}.${k}` }], 'patch');
      }
      next[k] = sum;
    }
  }
  return next;
}
