import { SchemaDriftError } from '@chatcore/core';
import { type RepositorySchema, type SchemaReport } from '@chatcore/core/driver';
import type { SqlConnection } from './sql-executor.js';
import { planOf, type FieldPlan, type SchemaPlan } from './schema-plan.js';
import { isCompatibleUdt, udtNameOf } from './column-types.js';
import { addColumnSql, createIndexSql, createTableSql, dropNotNullSql } from './ddl.js';
import { quoteIdent } from './identifiers.js';
import { enumChecks, widenEnumCheck, type EnumCheck } from './enum-checks.js';
import { diffForeignKeys, existingForeignKeys } from './foreign-keys.js';

/**
 * The advisory lock every chatcore instance takes around schema changes ("chat" in ASCII).
 *
 * @example
 * ```ts
 * await conn.execute({ sql: 'select pg_advisory_xact_lock($1)', parameters: [SCHEMA_LOCK_KEY] }); // inside your migration's transaction: chatcore's schema changes wait
 * ```
 */
export const SCHEMA_LOCK_KEY = 1667785076;

interface ExistingColumn {
  readonly udt: string;
  readonly nullable: boolean;
  readonly hasDefault: boolean;
}

interface Existing {
  readonly tables: Map<string, Map<string, ExistingColumn>>;
  readonly indexes: Set<string>;
  readonly checks: Map<string, EnumCheck>;
  readonly foreignKeys: Map<string, string>;
}

async function introspect(conn: SqlConnection, tables: readonly string[]): Promise<Existing> {
  const cols = await conn.execute({
    sql: `select table_name, column_name, udt_name, is_nullable, column_default
            from information_schema.columns
           where table_schema = current_schema() and table_name = any($1::text[])`,
    parameters: [tables],
  });
  const out = new Map<string, Map<string, ExistingColumn>>();
  for (const r of cols.rows) {
    const t = String(r.table_name);
    if (!out.has(t)) out.set(t, new Map());
    out.get(t)!.set(String(r.column_name), {
      udt: String(r.udt_name),
      nullable: r.is_nullable === 'YES',
      hasDefault: r.column_default !== null && r.column_default !== undefined,
    });
  }
  const idx = await conn.execute({
    sql: 'select indexname from pg_indexes where schemaname = current_schema() and tablename = any($1::text[])',
    parameters: [tables],
  });
  return {
    tables: out,
    indexes: new Set(idx.rows.map((r) => String(r.indexname))),
    checks: await enumChecks(conn, tables),
    foreignKeys: await existingForeignKeys(conn, tables),
  };
}

/** What to run, and what cannot be reconciled without a migration. */
interface Plan {
  readonly ddl: Array<{ sql: string; description: string }>;
  readonly drift: string[];
  readonly missing: string[];
}

/**
 * Why a missing column whose values derive from another field (`derivedFrom`)
 * cannot be added alone: existing rows hold values of that field, and would
 * hold none of it. Undefined when nothing needs filling: the source is not
 * stored yet, or no row has a value of it.
 */
async function unfilledDerived(conn: SqlConnection, plan: SchemaPlan, f: FieldPlan, columns: ReadonlyMap<string, ExistingColumn>): Promise<string | undefined> {
  const from = f.meta.derivedFrom;
  if (from === undefined) return undefined;
  // Its source: a storage field of that name, or the field that holds it (a sealed envelope).
  const source = plan.byName.get(from) ?? plan.fields.find((s) => s.meta.holds && Object.hasOwn(s.meta.holds, from));
  if (!source || !columns.has(source.column)) return undefined;
  const { rows } = await conn.execute({ sql: `select exists (select 1 from ${quoteIdent(plan.table)} where ${quoteIdent(source.column)} is not null) as filled`, parameters: [] });
  if (rows[0]?.filled !== true) return undefined;
  const name = plan.schema.name;
  return `${plan.table}.${f.column} (${name}.${f.name}) is missing and derives from ${name}.${from}, which existing rows have values of: added alone it would stay empty on them, so lookups by ${from} would miss them; add it with a migration that backfills it`;
}

async function diff(conn: SqlConnection, plans: readonly SchemaPlan[], existing: Existing, partial = false, backfilled = false): Promise<Plan> {
  const ddl: Plan['ddl'] = [];
  const drift: string[] = [];
  const missing: string[] = [];
  for (const plan of plans) {
    const columns = existing.tables.get(plan.table);
    if (!columns) {
      missing.push(`table ${plan.table} is missing`);
      ddl.push({ sql: createTableSql(plan), description: `create table ${plan.table}` });
      for (const idx of plan.indexes) ddl.push({ sql: createIndexSql(plan, idx), description: `create index ${idx.sqlName}` });
      continue;
    }
    let empty: boolean | undefined;
    const declared = new Set<string>();
    const refused = new Set<string>();
    for (const f of plan.fields) {
      declared.add(f.column);
      const col = columns.get(f.column);
      const where = `${plan.table}.${f.column}`;
      if (!col) {
        const unfilled = backfilled ? undefined : await unfilledDerived(conn, plan, f, columns);
        if (unfilled) { drift.push(unfilled); refused.add(f.name); continue; }
        missing.push(`column ${where} is missing`);
        if (f.nullable) { ddl.push({ sql: addColumnSql(plan, f, false), description: `add column ${where} ${f.sqlType}` }); continue; }
        empty ??= (await conn.execute({ sql: `select not exists (select 1 from ${quoteIdent(plan.table)}) as empty`, parameters: [] })).rows[0]?.empty === true;
        if (empty) ddl.push({ sql: addColumnSql(plan, f, true), description: `add column ${where} ${f.sqlType} not null` });
        else drift.push(`${where} is declared required (${f.sqlType} not null) but the table has rows and no such column: make the field optional or add the column with values first`);
        continue;
      }
      const want = udtNameOf(f.sqlType);
      if (!isCompatibleUdt(want, col.udt)) {
        drift.push(`${where} is declared ${f.sqlType} (${want}) but the database has ${col.udt}`);
        continue;
      }
      const widen = widenEnumCheck(plan, f, existing.checks.get(where));
      if (widen) {
        missing.push(`${where} does not accept the enum values ${widen.added.join(', ')}`);
        ddl.push({ sql: widen.sql, description: widen.description });
      }
      if (f.nullable && !col.nullable && f.name !== 'id') {
        missing.push(`${where} should accept null`);
        ddl.push({ sql: dropNotNullSql(plan, f), description: `allow null in ${where}` });
      }
    }
    for (const [name, col] of columns) {
      if (partial) break;
      if (!declared.has(name) && !col.nullable && !col.hasDefault) {
        drift.push(`${plan.table}.${name} exists in the database (not null, no default) but not in the schema, so inserts would fail: drop it or declare the field`);
      }
    }
    for (const idx of plan.indexes) {
      if (existing.indexes.has(idx.sqlName) || idx.fields.some((n) => refused.has(n))) continue;
      missing.push(`index ${idx.sqlName} is missing`);
      ddl.push({ sql: createIndexSql(plan, idx), description: `create ${idx.unique ? 'unique ' : ''}index ${idx.sqlName}` });
    }
  }
  const fks = diffForeignKeys(plans, existing.foreignKeys);
  return { ddl: [...ddl, ...fks.ddl], drift: [...drift, ...fks.drift], missing: [...missing, ...fks.missing] };
}

/**
 * Bring the database up to the storage schemas, additively: create missing
 * tables, columns and indexes; allow null where a field became optional.
 * Never drops or retypes: a column whose type differs, a required column
 * that cannot be added to a non-empty table, or an undeclared NOT NULL
 * column raise SchemaDriftError naming `table.column` and both types. Nor
 * does it backfill: a column derived from a field that existing rows have
 * values of (`derivedFrom`, e.g. a new blind index) is refused the same way.
 *
 * In `apply` mode everything runs in one transaction under
 * `pg_advisory_xact_lock`, so instances starting together take turns and
 * the later ones find nothing to do. In `verify` mode no DDL runs and any gap
 * is a SchemaDriftError listing what is missing. Its `info.additive` holds
 * the `{ sql, description }` steps apply would run and `info.destructive`
 * the differences only a migration can resolve.
 *
 * @example
 * ```ts
 * const report = await ensureSchema(conn, schemas, 'apply'); console.log(report.applied);
 * ```
 */
export async function ensureSchema(conn: SqlConnection, schemas: readonly RepositorySchema[], mode: 'apply' | 'verify'): Promise<SchemaReport> {
  const plans = schemas.map(planOf);
  const tables = plans.map((p) => p.table);
  if (mode === 'verify') {
    const result = await diff(conn, plans, await introspect(conn, tables));
    const problems = [...result.drift, ...result.missing];
    // `additive` is what apply would run, `destructive` what only a migration can fix (read by `chatcore schema plan`).
    if (problems.length) throw new SchemaDriftError(problems, { info: { additive: result.ddl, destructive: result.drift } });
    return { applied: [] };
  }
  await conn.execute({ sql: 'begin', parameters: [] });
  try {
    const applied = await applyAdditive(conn, schemas);
    await conn.execute({ sql: 'commit', parameters: [] });
    return { applied };
  } catch (err) {
    await conn.execute({ sql: 'rollback', parameters: [] }).catch(() => undefined);
    throw err;
  }
}

/**
 * The apply mode of `ensureSchema` inside a transaction the caller opened
 * (and commits or rolls back): takes the schema lock, creates what is
 * missing, raises SchemaDriftError for what cannot be reconciled. Returns
 * what it ran. `partial`: the schemas name only some fields of their
 * tables (a migration's), so columns they do not declare are left alone.
 * `backfilled`: the caller fills the derived columns it adds (a
 * migration's data steps), so they are added on tables with rows too.
 *
 * @example
 * ```ts
 * await conn.execute({ sql: 'begin', parameters: [] });
 * const applied = await applyAdditive(conn, schemas);
 * await conn.execute({ sql: 'commit', parameters: [] });
 * ```
 */
export async function applyAdditive(conn: SqlConnection, schemas: readonly RepositorySchema[], options: { readonly partial?: boolean; readonly backfilled?: boolean } = {}): Promise<string[]> {
  await conn.execute({ sql: `select pg_advisory_xact_lock(${SCHEMA_LOCK_KEY})`, parameters: [] });
  const plans = schemas.map(planOf);
  const result = await diff(conn, plans, await introspect(conn, plans.map((p) => p.table)), options.partial === true, options.backfilled === true);
  if (result.drift.length) throw new SchemaDriftError(result.drift, { info: { additive: result.ddl, destructive: result.drift } });
  for (const step of result.ddl) {
    try {
      await conn.execute({ sql: step.sql, parameters: [] });
    } catch (err) {
      // A unique index over rows that already repeat a value cannot be built: say so instead of a bare 23505.
      if ((err as { code?: unknown }).code === '23505') {
        throw new SchemaDriftError([`cannot ${step.description}: existing rows repeat a value of its fields; remove the duplicates first`]);
      }
      if ((err as { code?: unknown }).code === '23503') {
        throw new SchemaDriftError([`cannot ${step.description}: existing rows reference records that do not exist; delete them or clear the field first`]);
      }
      throw err;
    }
  }
  return result.ddl.map((s) => s.description);
}
