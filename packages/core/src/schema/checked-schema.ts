import type { FieldMeta } from './field-meta.js';
import type { RepositorySchema } from './repository-schema.js';

/**
 * The schema a repository checks callers' input against: the logical
 * schema as declared, with every field that a plugin stores encrypted
 * marked `sensitive` too. A plugin says a field is encrypted by marking the
 * storage field of the same name sensitive in `extendSchema` (the
 * encryption plugin does so for fields named only in its `sensitiveFields`
 * option). Core then refuses the same operators, sort keys, distinct keys,
 * aggregates and increments on it, with the same ValidationError, as on a
 * field declared `.sensitive()`: the plugin below could not answer them
 * exactly (a `ne` on a blind index drops the rows whose index collides).
 * Returns `logical` itself when no field changes.
 *
 * @example
 * ```ts
 * const checked = checkedSchema(users.schema, db.schemas.get('users')!);
 * checked.fields.ssn!.sensitive; // { searchable: true } when encryption({ sensitiveFields: ['ssn'], blindIndex: { fields: ['ssn'] } })
 * ```
 */
export function checkedSchema(logical: RepositorySchema, storage: RepositorySchema): RepositorySchema {
  let fields: Record<string, FieldMeta> | undefined;
  for (const [name, meta] of Object.entries(logical.fields)) {
    const stored = Object.hasOwn(storage.fields, name) ? storage.fields[name] : undefined;
    if (meta.sensitive || meta.secret || !stored?.sensitive) continue;
    fields ??= { ...logical.fields };
    fields[name] = Object.freeze({ ...meta, sensitive: stored.sensitive });
  }
  return fields ? Object.freeze({ ...logical, fields: Object.freeze(fields) }) : logical;
}
