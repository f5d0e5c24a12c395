import { ConfigError, type ValidationIssue } from '../errors.js';
import { isPropertyName } from '../schema/define-repository.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import type { Relation, Relations } from './define-relations.js';

/**
 * A relation as the loader uses it: the target repository key and where
 * the key lives. `fk` is on the source (`one` by field), on the target
 * (`many`, `one` by targetField) or on the join repository (`through`).
 */
export type ResolvedRelation =
  | { readonly kind: 'one'; readonly name: string; readonly target: string; readonly sourceField: string }
  | { readonly kind: 'many' | 'oneBack'; readonly name: string; readonly target: string; readonly targetField: string }
  | { readonly kind: 'through'; readonly name: string; readonly target: string; readonly through: string; readonly field: string; readonly targetField: string };

/** A repository as declared and as its plugins store it (`extendSchema`). */
interface KeySchemas {
  readonly schema: RepositorySchema;
  readonly stored: RepositorySchema;
}

/**
 * Key fields: plain strings or ids, compared by value: never encrypted or
 * hashed, whether the schema says so (`.sensitive()`, `.secret()`) or a
 * plugin does (its storage field of that name marked sensitive, as for the
 * encryption plugin's `sensitiveFields`; or no storage field of that name,
 * as for a field sealed in record mode).
 */
function keyFieldProblem({ schema, stored }: KeySchemas, field: unknown): string | undefined {
  if (typeof field !== 'string' || !Object.hasOwn(schema.fields, field)) return `${schema.name} has no field ${JSON.stringify(field)}`;
  const meta = schema.fields[field]!;
  if (meta.sensitive || meta.secret) return `${schema.name}.${field} is encrypted or secret, so it cannot hold a key`;
  if (meta.type !== 'string' && meta.type !== 'id') return `${schema.name}.${field} has type ${meta.type}; a key field must be a string (f.string())`;
  const kept = Object.hasOwn(stored.fields, field) ? stored.fields[field]! : undefined;
  if (!kept) return `${schema.name}.${field} is sealed by a plugin (record mode), so it cannot hold a key; list it among the fields the plugin keeps in clear`;
  if (kept.sensitive || kept.secret) return `${schema.name}.${field} is encrypted by a plugin, so it cannot hold a key; leave it out of the plugin's encrypted fields (sensitiveFields)`;
  return undefined;
}

/**
 * Check declared relations against the repositories (ConfigError listing
 * every problem) and resolve them for the loader, by repository key.
 * `stored` holds the storage schemas by the same keys (as the plugins
 * extended them), so that a key field a plugin encrypts or seals is
 * refused as one declared `.sensitive()` is; without it, the declared
 * schemas stand for them.
 *
 * @example
 * ```ts
 * const resolved = checkRelations(relations, new Map([['users', users.schema]]), new Map([['users', db.schemas.get('users')!]]));
 * ```
 */
export function checkRelations(
  relations: Relations | undefined, schemas: ReadonlyMap<string, RepositorySchema>, stored: ReadonlyMap<string, RepositorySchema> = schemas,
): Map<string, Map<string, ResolvedRelation>> {
  const out = new Map<string, Map<string, ResolvedRelation>>();
  if (relations === undefined) return out;
  if (relations === null || typeof relations !== 'object' || typeof relations.byRepository !== 'object') {
    throw new ConfigError('relations must come from defineRelations(repositories, { ... }).');
  }
  const problems: ValidationIssue[] = [];
  for (const [key, declared] of Object.entries(relations.byRepository)) {
    const source = schemas.get(key);
    if (!source) {
      problems.push({ path: key, message: 'is not a repository of this database' });
      continue;
    }
    const resolved = new Map<string, ResolvedRelation>();
    for (const [name, rel] of Object.entries(declared as Record<string, Relation>)) {
      const path = `${key}.${name}`;
      const r = resolveOne(key, name, rel, schemas, stored, (message) => problems.push({ path, message }));
      if (r) resolved.set(name, r);
    }
    out.set(key, resolved);
  }
  if (problems.length) {
    const head = problems.slice(0, 5).map((p) => `${p.path}: ${p.message}`).join('; ');
    throw new ConfigError(`Invalid relations: ${head}. Fix the defineRelations declarations.`, { problems });
  }
  return out;
}

function resolveOne(
  sourceKey: string, name: string, rel: Relation, schemas: ReadonlyMap<string, RepositorySchema>, stored: ReadonlyMap<string, RepositorySchema>,
  fail: (message: string) => void,
): ResolvedRelation | undefined {
  const source = schemas.get(sourceKey)!;
  if (!isPropertyName(name)) return void fail('the relation name is invalid: use letters, digits and _, starting with a letter (and not a reserved word such as constructor)');
  if (Object.hasOwn(source.fields, name)) return void fail(`the relation name is also a field of ${source.name}; rename the relation`);
  if (rel === null || typeof rel !== 'object' || (rel.kind !== 'one' && rel.kind !== 'many')) return void fail('declare it with r.one(...) or r.many(...)');
  const target = schemas.get(rel.target);
  if (!target) return void fail(`target ${JSON.stringify(rel.target)} is not a repository of this database`);
  const check = (key: string, field: unknown): boolean => {
    const schema = schemas.get(key)!;
    const problem = keyFieldProblem({ schema, stored: stored.get(key) ?? schema }, field);
    if (problem) fail(problem);
    return problem === undefined;
  };
  if (rel.kind === 'one') {
    if ((rel.field === undefined) === (rel.targetField === undefined)) return void fail('r.one takes either field (on this repository) or targetField (on the target)');
    if (rel.field !== undefined) return check(sourceKey, rel.field) ? { kind: 'one', name, target: rel.target, sourceField: rel.field } : undefined;
    return check(rel.target, rel.targetField) ? { kind: 'oneBack', name, target: rel.target, targetField: rel.targetField! } : undefined;
  }
  if (rel.through === undefined) {
    if (rel.targetField !== undefined) return void fail('targetField applies only with through (many-to-many)');
    return check(rel.target, rel.field) ? { kind: 'many', name, target: rel.target, targetField: rel.field } : undefined;
  }
  const join = schemas.get(rel.through);
  if (!join) return void fail(`through ${JSON.stringify(rel.through)} is not a repository of this database`);
  const ok = check(rel.through, rel.field) && check(rel.through, rel.targetField);
  return ok ? { kind: 'through', name, target: rel.target, through: rel.through, field: rel.field, targetField: rel.targetField! } : undefined;
}
