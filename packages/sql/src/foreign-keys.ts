import { createHash } from 'node:crypto';
import type { ForeignKeyReference } from '@chatcore/core';
import type { OnDelete } from '@chatcore/core/driver';
import type { SqlConnection } from './sql-executor.js';
import type { SchemaPlan } from './schema-plan.js';
import { checkIdentifier, MAX_IDENTIFIER_LENGTH, quoteIdent } from './identifiers.js';

/**
 * A `.references()` field as a FOREIGN KEY: its constraint name (scoped by
 * table, like PostgreSQL's own `<table>_<column>_fkey`), column, the
 * referenced repository and the ON DELETE action.
 *
 * @example
 * ```ts
 * for (const fk of plan.foreignKeys) console.log(fk.sqlName, fk.column, fk.target, fk.onDelete);
 * ```
 */
export interface ForeignKeyPlan {
  readonly sqlName: string;
  readonly field: string;
  readonly column: string;
  readonly target: string;
  readonly onDelete: OnDelete;
}

const ACTION: Readonly<Record<OnDelete, string>> = { restrict: 'restrict', cascade: 'cascade', 'set null': 'set null' };
/** pg_constraint.confdeltype of each action. */
const DELTYPE: Readonly<Record<OnDelete, string>> = { restrict: 'r', cascade: 'c', 'set null': 'n' };

/** Constraint name -> what it enforces, for naming them in ForeignKeyError (filled as plans are built). */
const byConstraint = new Map<string, ForeignKeyReference>();

/**
 * The foreign keys of a storage schema's plan (enforced references only),
 * registered so that a violation can name repository, field and target.
 *
 * @example
 * ```ts
 * const fks = foreignKeysOf(plan.schema.name, plan.table, plan.fields);
 * ```
 */
export function foreignKeysOf(repository: string, table: string, fields: SchemaPlan['fields']): ForeignKeyPlan[] {
  const out: ForeignKeyPlan[] = [];
  for (const f of fields) {
    const ref = f.meta.references;
    if (!ref?.constraint) continue;
    let sqlName = `${table}_${f.column}_fkey`;
    if (sqlName.length > MAX_IDENTIFIER_LENGTH) {
      const hash = createHash('sha1').update(`${table}|${f.column}`).digest('hex').slice(0, 10);
      sqlName = `${table.slice(0, MAX_IDENTIFIER_LENGTH - 16)}_${hash}_fkey`;
    }
    out.push({ sqlName, field: f.name, column: f.column, target: ref.repository, onDelete: ref.onDelete });
    byConstraint.set(sqlName, { repository, field: f.name, target: ref.repository, constraint: sqlName });
  }
  return out;
}

/**
 * What a foreign key constraint enforces, by its name (undefined for one chatcore did not declare).
 *
 * @example
 * ```ts
 * referenceOfConstraint('messages_conversation_id_fkey'); // { repository: 'messages', field: 'conversationId', target: 'conversations', ... }
 * ```
 */
export function referenceOfConstraint(name: unknown): ForeignKeyReference | undefined {
  return typeof name === 'string' ? byConstraint.get(name) : undefined;
}

/**
 * ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY, referencing the target table's primary key.
 *
 * @example
 * ```ts
 * addForeignKeySql(messagesPlan, messagesPlan.foreignKeys[0]!, conversationsPlan);
 * ```
 */
export function addForeignKeySql(plan: SchemaPlan, fk: ForeignKeyPlan, target: SchemaPlan): string {
  return `alter table ${quoteIdent(plan.table)} add constraint ${quoteIdent(fk.sqlName)} foreign key (${quoteIdent(fk.column)}) ` +
    `references ${quoteIdent(target.table)} (${quoteIdent(target.field('id').column)}) on delete ${ACTION[fk.onDelete]}`;
}

/**
 * The foreign keys that exist on `tables`: constraint name -> its pg_constraint.confdeltype.
 *
 * @example
 * ```ts
 * const existing = await existingForeignKeys(conn, ['messages']); existing.get('messages_conversation_id_fkey'); // 'c'
 * ```
 */
export async function existingForeignKeys(conn: SqlConnection, tables: readonly string[]): Promise<Map<string, string>> {
  const result = await conn.execute({
    sql: `select c.conname, c.confdeltype from pg_constraint c join pg_class t on t.oid = c.conrelid
           where c.contype = 'f' and t.relnamespace = current_schema()::regnamespace and t.relname = any($1::text[])`,
    parameters: [tables],
  });
  return new Map(result.rows.map((r) => [String(r.conname), String(r.confdeltype)]));
}

/**
 * The foreign key steps of ensureSchema, run after every table and column
 * exists (so the order of the repositories does not matter, cycles
 * included): a missing constraint is added; one whose ON DELETE differs
 * from the declaration is drift (a migration drops and re-adds it).
 * References to repositories outside `plans` are left alone.
 *
 * @example
 * ```ts
 * const { ddl, missing, drift } = diffForeignKeys(plans, await existingForeignKeys(conn, tables));
 * ```
 */
export function diffForeignKeys(plans: readonly SchemaPlan[], existing: ReadonlyMap<string, string>): {
  ddl: Array<{ sql: string; description: string }>;
  missing: string[];
  drift: string[];
} {
  const byName = new Map(plans.map((p) => [p.schema.name, p]));
  const out = { ddl: [] as Array<{ sql: string; description: string }>, missing: [] as string[], drift: [] as string[] };
  for (const plan of plans) {
    for (const fk of plan.foreignKeys) {
      const target = byName.get(fk.target);
      if (!target) continue;
      const found = existing.get(fk.sqlName);
      const what = `foreign key ${fk.sqlName} (${plan.table}.${fk.column} -> ${target.table}, on delete ${fk.onDelete})`;
      if (found === undefined) {
        out.missing.push(`${what} is missing`);
        out.ddl.push({ sql: addForeignKeySql(plan, fk, target), description: `add ${what}` });
      } else if (found !== DELTYPE[fk.onDelete]) {
        out.drift.push(`${what} exists with another on delete action: drop the constraint in a migration and let schema apply add it again`);
      }
    }
  }
  return out;
}

/**
 * After a migration renames a table or a column, the statements that give
 * the table's foreign keys the names ensureSchema looks for
 * (`<table>_<column>_fkey`), so it does not add a second constraint.
 * `existing` are the table's foreign key names; `rename` maps an old name
 * to its new one (undefined: unchanged).
 *
 * @example
 * ```ts
 * renameForeignKeyStatements('people', ['folks_team_id_fkey'], (n) => n.replace(/^folks_/, 'people_'));
 * // alter table "people" rename constraint "folks_team_id_fkey" to "people_team_id_fkey"
 * ```
 */
export function renameForeignKeyStatements(table: string, existing: readonly string[], rename: (name: string) => string | undefined): Array<{ sql: string; description: string }> {
  const out: Array<{ sql: string; description: string }> = [];
  for (const name of existing) {
    const target = rename(name);
    if (!target || target === name || target.length > MAX_IDENTIFIER_LENGTH || existing.includes(target)) continue;
    out.push({
      sql: `alter table ${quoteIdent(table)} rename constraint ${quoteIdent(name)} to ${quoteIdent(checkIdentifier(target, 'constraint'))}`,
      description: `rename foreign key ${name} to ${target}`,
    });
  }
  return out;
}
