import type { SqlConnection } from './sql-executor.js';
import type { FieldPlan, SchemaPlan } from './schema-plan.js';
import { quoteIdent, quoteLiteral } from './identifiers.js';

/**
 * A CHECK constraint that lists the allowed values of an enum column.
 *
 * @example
 * ```ts
 * const check: EnumCheck = { name: 'people_role_check', values: ['admin', 'member'] };
 * ```
 */
export interface EnumCheck {
  readonly name: string;
  readonly values: readonly string[];
}

/**
 * The enum CHECK constraints of these tables, by `table.column`. A CHECK
 * belongs to a column when it is the one PostgreSQL names after it
 * (`<table>_<column>_check`), which is how chatcore's DDL creates them.
 *
 * @example
 * ```ts
 * const checks = await enumChecks(conn, ['people_x']); checks.get('people_x.role')?.values;
 * ```
 */
export async function enumChecks(conn: SqlConnection, tables: readonly string[]): Promise<Map<string, EnumCheck>> {
  const { rows } = await conn.execute({
    sql: `select t.relname as table_name, c.conname, pg_get_constraintdef(c.oid) as def
            from pg_constraint c
            join pg_class t on t.oid = c.conrelid
            join pg_namespace n on n.oid = t.relnamespace
           where c.contype = 'c' and n.nspname = current_schema() and t.relname = any($1::text[])`,
    parameters: [tables],
  });
  const out = new Map<string, EnumCheck>();
  for (const r of rows) {
    const table = String(r.table_name);
    const name = String(r.conname);
    if (!name.startsWith(`${table}_`) || !name.endsWith('_check')) continue;
    const column = name.slice(table.length + 1, -'_check'.length);
    const values = [...String(r.def).matchAll(/'((?:[^']|'')*)'::text/g)].map((m) => m[1]!.replace(/''/g, "'"));
    out.set(`${table}.${column}`, { name, values });
  }
  return out;
}

/**
 * DDL that widens an enum column's CHECK to the declared values when the
 * schema added some (a new role, a new status). The new list is the union of
 * the old and the declared values, so rows written before always still pass;
 * values the schema dropped stay allowed in the database (the repository
 * layer no longer writes them).
 *
 * @example
 * ```ts
 * const step = widenEnumCheck(plan, plan.field('role'), checks.get(`${plan.table}.role`));
 * ```
 */
export function widenEnumCheck(
  plan: SchemaPlan, f: FieldPlan, existing: EnumCheck | undefined,
): { sql: string; description: string; added: readonly string[] } | undefined {
  if (f.meta.type !== 'enum' || f.meta.storedAs || !f.meta.values?.length || !existing) return undefined;
  const missing = f.meta.values.filter((v) => !existing.values.includes(v));
  if (missing.length === 0) return undefined;
  const union = [...existing.values, ...missing];
  const table = quoteIdent(plan.table);
  const name = quoteIdent(existing.name);
  return {
    sql: `alter table ${table} drop constraint ${name}, add constraint ${name} check (${quoteIdent(f.column)} in (${union.map(quoteLiteral).join(', ')}))`,
    description: `allow ${missing.join(', ')} in ${plan.table}.${f.column}`,
    added: missing,
  };
}
