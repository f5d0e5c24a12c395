import type { RepositorySchema } from '../schema/repository-schema.js';
import type { ResolvedRelation } from './check-relations.js';

/**
 * For each join repository of a many-to-many relation, the repositories
 * whose reads go through it, by storage name: a limited include runs one
 * query on the target repository that also reads the join repository's
 * rows, so that query's result changes when either one does.
 *
 * @example
 * ```ts
 * const readers = throughReaders(checkRelations(relations, schemas), schemas);
 * readers.get('conversation_tags'); // ['tags']
 * ```
 */
export function throughReaders(
  relations: ReadonlyMap<string, ReadonlyMap<string, ResolvedRelation>>, schemas: ReadonlyMap<string, RepositorySchema>,
): ReadonlyMap<string, readonly string[]> {
  const out = new Map<string, string[]>();
  for (const rels of relations.values()) {
    for (const r of rels.values()) {
      if (r.kind !== 'through') continue;
      const join = schemas.get(r.through)!.name;
      const target = schemas.get(r.target)!.name;
      const list = out.get(join) ?? [];
      if (!list.includes(target)) list.push(target);
      out.set(join, list);
    }
  }
  return out;
}
