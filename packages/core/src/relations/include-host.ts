import type { DriverCapabilities } from '../driver/capabilities.js';
import type { TransactionScopeState } from '../database/transaction-scope.js';
import { RepositoryImpl } from '../repository/repository.js';
import type { ResolvedRelation } from './check-relations.js';
import type { IncludeHost } from './load-includes.js';

/** `in` chunk size on a backend that states no limit. */
const DEFAULT_CHUNK = 1000;

/**
 * The loader's view of a database: relations by schema name, repositories
 * bound to the caller's transaction scope (so an include inside a
 * transaction reads through it), and the driver's limits.
 *
 * @example
 * ```ts
 * runtime.includes = includeHost(checkRelations(options.relations, schemas), root, driver.capabilities);
 * ```
 */
export function includeHost(
  byKey: ReadonlyMap<string, ReadonlyMap<string, ResolvedRelation>>, root: ReadonlyMap<string, RepositoryImpl>, caps: DriverCapabilities,
): IncludeHost<TransactionScopeState | undefined> {
  const byName = new Map<string, ReadonlyMap<string, ResolvedRelation>>();
  for (const [key, rels] of byKey) byName.set(root.get(key)!.name, rels);
  return {
    relationsOf: (schemaName) => byName.get(schemaName),
    repository: (key, scope) => (scope ? RepositoryImpl.bound(root.get(key)!, scope) : root.get(key)!),
    schemaOf: (key) => root.get(key)!.schema,
    chunkSize: caps.maxInList ?? DEFAULT_CHUNK,
    maxDisjunctions: caps.maxDisjunctions ?? Infinity,
    perGroupNative: caps.limitPerGroup === true,
    throughNative: caps.limitThrough === true,
  };
}
