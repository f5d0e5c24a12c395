import type { IndexSchema, SchemaChange, StoredField } from '@chatcore/core/driver';
import { MigrationError } from '@chatcore/core';
import { planOf, type SchemaPlan } from './schema-plan.js';
import { checkIdentifier, quoteIdent } from './identifiers.js';

function columnOf(field: StoredField): string {
  return checkIdentifier(field.meta.column ?? field.name, `column of field ${field.name}`);
}

function indexPlan(plan: SchemaPlan, name: string): { sqlName: string; index: IndexSchema } {
  const at = plan.schema.indexes.findIndex((i) => i.name === name);
  if (at === -1) throw new MigrationError(`Repository ${plan.schema.name} declares no index named ${name}.`, { info: { repository: plan.schema.name, index: name } });
  return { sqlName: plan.indexes[at]!.sqlName, index: plan.schema.indexes[at]! };
}

/**
 * After a table rename, its indexes still carry the old table's prefix:
 * the statements that give them the new one (so ensureSchema and later
 * migrations find them by name). `existing` are the table's index names.
 *
 * @example
 * ```ts
 * renameIndexStatements('folks', 'people', ['folks_nick_idx']); // alter index "folks_nick_idx" rename to "people_nick_idx"
 * ```
 */
export function renameIndexStatements(from: string, to: string, existing: readonly string[]): Array<{ sql: string; description: string }> {
  const out: Array<{ sql: string; description: string }> = [];
  for (const name of existing) {
    if (!name.startsWith(`${from}_`) || name === `${to}_pkey`) continue;
    const target = `${to}_${name.slice(from.length + 1)}`;
    if (target.length > 63) continue;
    out.push({ sql: `alter index ${quoteIdent(name)} rename to ${quoteIdent(checkIdentifier(target, 'index name'))}`, description: `rename index ${name} to ${target}` });
  }
  return out;
}

/**
 * The statements of one non-additive schema change, with a description of
 * each. Identifiers come from storage schemas and are checked; no value is
 * ever part of the text.
 *
 * @example
 * ```ts
 * for (const st of changeStatements({ kind: 'dropField', table: 'users', field: { name: 'legacy', meta } })) await conn.execute({ sql: st.sql, parameters: [] });
 * ```
 */
export function changeStatements(change: SchemaChange): Array<{ sql: string; description: string }> {
  switch (change.kind) {
    case 'renameField': {
      const table = checkIdentifier(change.table, 'table');
      const from = columnOf(change.from);
      const to = columnOf(change.to);
      if (from === to) return [];
      return [{ sql: `alter table ${quoteIdent(table)} rename column ${quoteIdent(from)} to ${quoteIdent(to)}`, description: `rename column ${table}.${from} to ${to}` }];
    }
    case 'dropField': {
      const table = checkIdentifier(change.table, 'table');
      const column = columnOf(change.field);
      return [{ sql: `alter table ${quoteIdent(table)} drop column if exists ${quoteIdent(column)}`, description: `drop column ${table}.${column}` }];
    }
    case 'setRequired': {
      const table = checkIdentifier(change.table, 'table');
      const column = columnOf(change.field);
      const verb = change.required ? 'set' : 'drop';
      return [{ sql: `alter table ${quoteIdent(table)} alter column ${quoteIdent(column)} ${verb} not null`, description: `${verb} not null on ${table}.${column}` }];
    }
    case 'dropIndex': {
      const { sqlName } = indexPlan(planOf(change.schema), change.index);
      return [{ sql: `drop index if exists ${quoteIdent(sqlName)}`, description: `drop index ${sqlName}` }];
    }
    case 'renameRepository': {
      const from = planOf(change.from);
      const to = planOf(change.to);
      if (from.table === to.table) return [];
      const out = [{ sql: `alter table ${quoteIdent(from.table)} rename to ${quoteIdent(to.table)}`, description: `rename table ${from.table} to ${to.table}` }];
      out.push({ sql: `alter table ${quoteIdent(to.table)} rename constraint ${quoteIdent(`${from.table}_pkey`)} to ${quoteIdent(`${to.table}_pkey`)}`, description: `rename constraint ${from.table}_pkey` });
      return out;
    }
  }
}
