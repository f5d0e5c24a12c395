import type { RepositorySchema } from '../schema/repository-schema.js';
import type { StoredRow } from '../driver/driver.js';
import { valueKey } from './compare-values.js';
import type { RowView } from './row-view.js';

/** Schemas are immutable: their unique keys are worked out once, not on every write. */
const keysBySchema = new WeakMap<RepositorySchema, readonly (readonly string[])[]>();

/**
 * The unique keys of a schema: id, then every unique index (composite ones too).
 *
 * @example
 * ```ts
 * uniqueKeys(schema); // [['id'], ['email'], ['tenantId', 'slug']]
 * ```
 */
export function uniqueKeys(schema: RepositorySchema): readonly (readonly string[])[] {
  let keys = keysBySchema.get(schema);
  if (!keys) {
    keys = [['id'], ...schema.indexes.filter((i) => i.unique).map((i) => [...i.fields])];
    keysBySchema.set(schema, keys);
  }
  return keys;
}

/**
 * The key of `row` under a unique constraint, or undefined when a field is
 * null (nulls never conflict, as in SQL).
 *
 * @example
 * ```ts
 * constraintKey({ email: 'a@b' }, ['email']); // '["sa@b"]'
 * ```
 */
export function constraintKey(row: StoredRow, fields: readonly string[]): string | undefined {
  const parts: string[] = [];
  for (const f of fields) {
    const v = row[f];
    if (v === null || v === undefined) return undefined;
    parts.push(valueKey(v));
  }
  return JSON.stringify(parts);
}

/**
 * Check that writing `candidates` into `table` (replacing the rows whose ids
 * are in `replaced`) keeps every unique constraint. Returns the fields of
 * the first violated constraint, or undefined. Looks the candidates' keys
 * up in the table's hash indexes: the cost is the candidates', not the
 * table's.
 *
 * @example
 * ```ts
 * const fields = findUniqueViolation(schema, table, [newRow], new Set());
 * if (fields) throw new UniqueViolationError(schema.name, fields);
 * ```
 */
export function findUniqueViolation(
  schema: RepositorySchema,
  table: RowView,
  candidates: readonly StoredRow[],
  replaced: ReadonlySet<string>,
): string[] | undefined {
  for (const fields of uniqueKeys(schema)) {
    const seen = new Set<string>();
    for (const row of candidates) {
      const key = constraintKey(row, fields);
      if (key === undefined) continue;
      if (seen.has(key)) return [...fields];
      seen.add(key);
    }
    if (seen.size === 0) continue;
    if (fields.length === 1 && fields[0] === 'id') {
      for (const row of candidates) if (table.has(row.id as string) && !replaced.has(row.id as string)) return [...fields];
      continue;
    }
    for (const key of seen) for (const id of table.idsWithKey(fields, key)) if (!replaced.has(id)) return [...fields];
  }
  return undefined;
}
