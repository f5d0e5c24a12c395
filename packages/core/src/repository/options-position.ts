import type { AnyRepositoryDef } from '../schema/define-repository.js';
import type { Repository } from './repository-api.js';

/**
 * The public methods of a repository (what `db.<name>` offers besides its
 * `name` and `schema`).
 *
 * @example
 * ```ts
 * const method: RepositoryMethod = 'findPage';
 * ```
 */
export type RepositoryMethod = Exclude<keyof Repository<AnyRepositoryDef>, 'name' | 'schema'>;

/**
 * Which argument of each public repository method holds its `CallOptions`
 * (0-based), for code that must read the caller's context from a call
 * without running it (the onInvalidInput report). Stated, not derived from
 * `fn.length`, which a default parameter would silently change. A method
 * added to `Repository` without an entry here does not compile, and a
 * test checks that every method of the implementation has one.
 *
 * @example
 * ```ts
 * const options = args[OPTIONS_ARGUMENT.update] as CallOptions | undefined; // update(id, patch, options)
 * ```
 */
export const OPTIONS_ARGUMENT: Readonly<Record<RepositoryMethod, number>> = Object.freeze({
  create: 1,
  createMany: 1,
  get: 1,
  getMany: 1,
  find: 1,
  findPage: 1,
  findOne: 1,
  count: 1,
  aggregate: 1,
  exists: 1,
  update: 2,
  updateMany: 2,
  upsert: 1,
  delete: 1,
  deleteMany: 1,
  iterate: 1,
  verifySecret: 3,
  query: 1,
});
