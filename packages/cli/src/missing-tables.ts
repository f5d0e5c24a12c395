import type { Database, RepositoryMap } from '@chatcore/core';
import type { RepositorySchema } from '@chatcore/core/driver';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';
import { planSchema } from './commands/schema-check.js';

// The SQL schema manager describes a table it would create as `create table <name>`, a column it would add as
// `add column <table>.<column> <type>`, and a required column it cannot add to a table with rows as `<table>.<column> is declared required ... no such column ...`.
const CREATE_TABLE = /^create table (\S+)$/;
const ADD_COLUMN = /^add column (\S+)\.(\S+) /;
const REQUIRED_COLUMN = /^(\S+)\.(\S+) is declared required .* no such column/;

/**
 * The tables the stack declares (repositories and plugin tables, those
 * `only` keeps) that the database does not have: a database that was never
 * migrated. Runs no DDL; the driver must be connected. Backends without
 * tables (Firestore) never miss one.
 *
 * @example
 * ```ts
 * await db.driver.connect();
 * await missingTables(db); // ['users', 'notes'] on a new database
 * ```
 */
export async function missingTables(db: Database<RepositoryMap>, only: (schema: RepositorySchema) => boolean = () => true): Promise<string[]> {
  return (await missingParts(db, only)).tables;
}

/** The missing tables, and the columns missing from tables that exist (`table.column`), of the schemas `only` keeps. */
async function missingParts(db: Database<RepositoryMap>, only: (schema: RepositorySchema) => boolean): Promise<{ tables: string[]; columns: string[] }> {
  const wanted = new Set([...db.schemas.values()].filter(only).map((s) => s.table));
  const plan = await planSchema(db);
  const tables = plan.additive.map((s) => CREATE_TABLE.exec(s.description)?.[1]).filter((t): t is string => t !== undefined && wanted.has(t));
  const columns: string[] = [];
  for (const text of [...plan.additive.map((s) => s.description), ...plan.destructive]) {
    const m = ADD_COLUMN.exec(text) ?? REQUIRED_COLUMN.exec(text);
    if (m && wanted.has(m[1]!) && !tables.includes(m[1]!)) columns.push(`${m[1]}.${m[2]}`);
  }
  return { tables, columns };
}

/**
 * Refuse (exit 1, code `SCHEMA`) before the command reads anything when
 * tables it needs are missing, naming them and the command that creates
 * them, instead of the backend's "relation does not exist"; with
 * `columns`, also when tables that exist lack columns the repositories
 * declare (the next release's repositories before its migration ran),
 * instead of "column does not exist". The driver
 * must be connected; the plugins need not be (they would touch the
 * missing tables at connect).
 *
 * @example
 * ```ts
 * await db.driver.connect();
 * await requireTables(db); // throws on a database that was never migrated
 * await requireTables(db, undefined, { columns: true }); // and on one whose migration has not run yet
 * ```
 */
export async function requireTables(db: Database<RepositoryMap>, only: (schema: RepositorySchema) => boolean = () => true, options: { readonly columns?: boolean } = {}): Promise<void> {
  const missing = await missingParts(db, only);
  if (missing.tables.length > 0) {
    const what = missing.tables.length === 1 ? `table ${missing.tables[0]} does not exist` : `tables ${missing.tables.join(', ')} do not exist`;
    throw new CliError(
      `The database is not set up: ${what}. Run \`chatcore migrate up\` (or \`chatcore schema apply\`) to create what is missing, then run this command again. Nothing was changed.`,
      { exitCode: EXIT.CHECK_FAILED, code: 'SCHEMA' },
    );
  }
  if (options.columns && missing.columns.length > 0) {
    const what = missing.columns.length === 1 ? `column ${missing.columns[0]} does not exist` : `columns ${missing.columns.join(', ')} do not exist`;
    throw new CliError(
      `The database is behind the repositories: ${what}. Run \`chatcore migrate up\` with this release's migrations (or \`chatcore schema apply\` when \`schema plan\` shows only additions), then run this command again. Nothing was changed.`,
      { exitCode: EXIT.CHECK_FAILED, code: 'SCHEMA' },
    );
  }
}
