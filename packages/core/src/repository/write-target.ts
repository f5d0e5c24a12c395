import { ValidationError } from '../errors.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import type { Condition } from '../query/condition.js';
import { normalizeTestedFilter } from '../query/normalize-filter.js';
import type { VersionedOptions } from './repository-api.js';

/**
 * What a targeted write matches, checked before anything is sent: the
 * version a caller expects, the filter of a bulk write, the conflict key
 * of an upsert.
 */

/**
 * The `expectedVersion` of a call's options, checked (a positive integer, on
 * a repository with an `f.version()` field); undefined when not given.
 *
 * @example
 * ```ts
 * const expected = expectedVersion(schema, { expectedVersion: 3 }); // 3
 * ```
 */
export function expectedVersion(schema: RepositorySchema, options?: VersionedOptions): number | undefined {
  const v = options?.expectedVersion;
  if (v === undefined) return undefined;
  if (!schema.versionField) throw new ValidationError([{ path: 'expectedVersion', message: `${schema.name} has no f.version() field` }]);
  if (!Number.isSafeInteger(v) || v < 1) throw new ValidationError([{ path: 'expectedVersion', message: 'expected a positive integer' }]);
  return v;
}

/**
 * The condition a versioned write adds to its target: the version field
 * equals the expected version (none without one).
 *
 * @example
 * ```ts
 * versionCondition(schema, 3); // { kind: 'cmp', field: 'version', op: 'eq', value: 3 }
 * ```
 */
export function versionCondition(schema: RepositorySchema, expected: number | undefined): Condition | undefined {
  return expected === undefined ? undefined : { kind: 'cmp', field: schema.versionField!, op: 'eq', value: expected };
}

/**
 * The filter of `updateMany` / `deleteMany`, normalized; a missing one is
 * refused (`{}` targets every record on purpose), and so is one that names
 * fields yet matches every record because their tests are undefined or
 * empty (`{ userId: undefined }`, `{ tag: {} }`, `{ or: [{}] }`): a value
 * that happened to be undefined must not empty a table. A test that holds
 * for every record (`{ id: { notIn: [] } }`: "all but none") is kept.
 *
 * @example
 * ```ts
 * requiredFilter(schema, { status: 'closed' });
 * requiredFilter(schema, undefined); // throws ValidationError
 * requiredFilter(schema, { status: undefined }); // throws ValidationError
 * ```
 */
export function requiredFilter(schema: RepositorySchema, where: unknown): Condition | undefined {
  if (where === undefined || where === null) {
    throw new ValidationError([{ path: 'where', message: 'a filter is required (pass {} to target every record)' }], { context: 'filter' });
  }
  const { where: cond, tests } = normalizeTestedFilter(schema, where);
  if (!tests && typeof where === 'object' && Object.keys(where).length > 0) {
    throw new ValidationError([{ path: 'where', message: 'the filter names fields but tests none of them (undefined or empty conditions), so it would match every record; pass {} to target every record on purpose' }], { context: 'filter' });
  }
  return cond;
}

/**
 * Refuse an upsert conflict key that is neither the id nor a declared
 * unique index (in any order of its fields).
 *
 * @example
 * ```ts
 * checkConflictFields(schema, ['email']); // fine when email has a unique index
 * ```
 */
export function checkConflictFields(schema: RepositorySchema, fields: readonly string[]): void {
  const uniqueSets = [['id'], ...schema.indexes.filter((i) => i.unique).map((i) => [...i.fields])];
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));
  if (!uniqueSets.some((u) => same(u, fields))) {
    throw new ValidationError([{ path: 'conflict', message: `must name the id or a unique key of ${schema.name} (${uniqueSets.map((u) => u.join('+')).join(', ')})` }]);
  }
}
