import type { FieldMeta, SensitiveOptions } from './field-meta.js';
import type { RepositorySchema } from './repository-schema.js';

/**
 * How a checked schema marks a logical field that a plugin keeps inside
 * another storage field (FieldMeta.holds), such as a sealed envelope.
 *
 * @example
 * ```ts
 * if (meta.storedAs === SEALED) console.log('only the plugin can read this field in storage');
 * ```
 */
export const SEALED = 'sealed';

/**
 * The schema a repository checks callers' input against: the logical
 * schema as declared, with every field that a plugin stores encrypted
 * marked `sensitive` too. A plugin says a field is encrypted by marking the
 * storage field of the same name sensitive in `extendSchema` (the
 * encryption plugin does so for fields named only in its `sensitiveFields`
 * option), or by naming it in the `holds` of the storage field that keeps
 * it (a sealed envelope): such a field is also marked `storedAs: 'sealed'`.
 * Core then refuses the same operators, sort keys, distinct keys,
 * aggregates and increments on it, with the same ValidationError, as on a
 * field declared `.sensitive()`: the plugin below could not answer them
 * exactly (a `ne` on a blind index drops the rows whose index collides).
 * A sealed field, declared `.sensitive()` or not, differs in two ways:
 * without a blind index no test at all applies (not even isNull), and
 * increments are allowed (the plugin applies them to the opened envelope).
 * Returns `logical` itself when no field changes.
 *
 * @example
 * ```ts
 * const checked = checkedSchema(users.schema, db.schemas.get('users')!);
 * checked.fields.ssn!.sensitive; // { searchable: true } when encryption({ sensitiveFields: ['ssn'], blindIndex: { fields: ['ssn'] } })
 * ```
 */
export function checkedSchema(logical: RepositorySchema, storage: RepositorySchema): RepositorySchema {
  const held = new Map<string, SensitiveOptions>();
  for (const meta of Object.values(storage.fields)) {
    for (const [name, options] of Object.entries(meta.holds ?? {})) held.set(name, options);
  }
  let fields: Record<string, FieldMeta> | undefined;
  for (const [name, meta] of Object.entries(logical.fields)) {
    if (meta.secret) continue;
    const stored = Object.hasOwn(storage.fields, name) ? storage.fields[name] : undefined;
    const sealedAs = stored ? undefined : held.get(name);
    if (sealedAs) {
      fields ??= { ...logical.fields };
      fields[name] = Object.freeze({ ...meta, sensitive: meta.sensitive ?? sealedAs, storedAs: SEALED });
    } else if (!meta.sensitive && stored?.sensitive) {
      fields ??= { ...logical.fields };
      fields[name] = Object.freeze({ ...meta, sensitive: stored.sensitive });
    }
  }
  return fields ? Object.freeze({ ...logical, fields: Object.freeze(fields) }) : logical;
}
