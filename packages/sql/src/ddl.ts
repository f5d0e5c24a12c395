import type { FieldPlan, IndexPlan, SchemaPlan } from './schema-plan.js';
import { quoteIdent, quoteLiteral } from './identifiers.js';

const TEXT_TYPES = new Set(['text', 'text[]']);

/**
 * The column definition of a field. Text columns use the "C" collation so
 * that ordering and range filters compare code points like every other
 * backend (and LIKE prefixes can use the btree index); enums get a CHECK
 * unless a plugin stores them transformed (`storedAs`).
 *
 * @example
 * ```ts
 * columnDefinition(plan.field('role'), true); // '"role" text collate "C" not null check ("role" in (...))'
 * ```
 */
export function columnDefinition(f: FieldPlan, notNull: boolean): string {
  let def = `${quoteIdent(f.column)} ${f.sqlType}`;
  if (TEXT_TYPES.has(f.sqlType)) def += ' collate "C"';
  if (f.name === 'id') def += ' primary key';
  else if (notNull) def += ' not null';
  if (f.meta.type === 'enum' && !f.meta.storedAs && f.meta.values?.length) {
    def += ` check (${quoteIdent(f.column)} in (${f.meta.values.map(quoteLiteral).join(', ')}))`;
  }
  return def;
}

/**
 * CREATE TABLE for a storage schema (all columns, primary key on id).
 *
 * @example
 * ```ts
 * await conn.execute({ sql: createTableSql(plan), parameters: [] });
 * ```
 */
export function createTableSql(plan: SchemaPlan): string {
  const cols = plan.fields.map((f) => columnDefinition(f, !f.nullable));
  return `create table if not exists ${quoteIdent(plan.table)} (${cols.join(', ')})`;
}

/**
 * CREATE [UNIQUE] INDEX. Nullable columns are indexed NULLS FIRST, the order
 * chatcore sorts them in, so ascending and descending scans both use it.
 *
 * @example
 * ```ts
 * for (const idx of plan.indexes) await run(createIndexSql(plan, idx));
 * ```
 */
export function createIndexSql(plan: SchemaPlan, idx: IndexPlan): string {
  const cols = idx.fields.map((name) => {
    const f = plan.field(name);
    return `${quoteIdent(f.column)}${f.nullable ? ' nulls first' : ''}`;
  });
  return `create ${idx.unique ? 'unique ' : ''}index if not exists ${quoteIdent(idx.sqlName)} on ${quoteIdent(plan.table)} (${cols.join(', ')})`;
}

/**
 * ALTER TABLE ADD COLUMN (additive change).
 *
 * @example
 * ```ts
 * addColumnSql(plan, plan.field('nickname'), false);
 * ```
 */
export function addColumnSql(plan: SchemaPlan, f: FieldPlan, notNull: boolean): string {
  return `alter table ${quoteIdent(plan.table)} add column if not exists ${columnDefinition(f, notNull)}`;
}

/**
 * ALTER TABLE ... DROP NOT NULL: a field became optional (widening, never loses data).
 *
 * @example
 * ```ts
 * dropNotNullSql(plan, plan.field('age'));
 * ```
 */
export function dropNotNullSql(plan: SchemaPlan, f: FieldPlan): string {
  return `alter table ${quoteIdent(plan.table)} alter column ${quoteIdent(f.column)} drop not null`;
}
