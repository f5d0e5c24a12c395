import { ConfigError } from '../errors.js';
import type { OnDelete } from '../schema/field-meta.js';
import type { RepositorySchema } from '../schema/repository-schema.js';

/**
 * One enforced reference: `child.field` holds ids of `parent` records.
 *
 * @example
 * ```ts
 * const rule: ReferenceRule = { child: 'messages', field: 'conversationId', parent: 'conversations', onDelete: 'cascade' };
 * ```
 */
export interface ReferenceRule {
  readonly child: string;
  readonly field: string;
  readonly parent: string;
  readonly onDelete: OnDelete;
}

/**
 * The enforced references of a database, by the repository that holds them
 * (`byChild`) and by the repository they point to (`byParent`). A reference
 * to a repository the database does not have is a ConfigError here, at
 * createDatabase; `constraint: false` references are declarations only.
 *
 * @example
 * ```ts
 * const rules = referenceRules([conversations.schema, messages.schema]);
 * rules.byParent.get('conversations'); // [{ child: 'messages', field: 'conversationId', ... }]
 * ```
 */
export function referenceRules(schemas: readonly RepositorySchema[]): {
  readonly byChild: ReadonlyMap<string, readonly ReferenceRule[]>;
  readonly byParent: ReadonlyMap<string, readonly ReferenceRule[]>;
} {
  const names = new Set(schemas.map((s) => s.name));
  const byChild = new Map<string, ReferenceRule[]>();
  const byParent = new Map<string, ReferenceRule[]>();
  for (const schema of schemas) {
    for (const [field, meta] of Object.entries(schema.fields)) {
      const ref = meta.references;
      if (!ref) continue;
      if (!names.has(ref.repository)) {
        throw new ConfigError(
          `${schema.name}.${field} references repository ${JSON.stringify(ref.repository)}, which this database does not have. ` +
            `Add it to createDatabase({ repositories }), or fix the name: references use the name given to defineRepository (known: ${[...names].join(', ')}), not a key of createDatabase({ repositories }).`,
          { info: { repository: schema.name, field, target: ref.repository } },
        );
      }
      if (ref.onDelete === 'set null' && !meta.optional) {
        throw new ConfigError(`${schema.name}.${field} has onDelete 'set null' but is required: make it optional().`, { info: { repository: schema.name, field } });
      }
      if (!ref.constraint) continue;
      const rule: ReferenceRule = { child: schema.name, field, parent: ref.repository, onDelete: ref.onDelete };
      (byChild.get(schema.name) ?? byChild.set(schema.name, []).get(schema.name)!).push(rule);
      (byParent.get(ref.repository) ?? byParent.set(ref.repository, []).get(ref.repository)!).push(rule);
    }
  }
  return { byChild, byParent };
}
