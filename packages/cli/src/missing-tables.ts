import type { Database, RepositoryMap } from '@chatcore/core';
import type { RepositorySchema } from '@chatcore/core/driver';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';
import { planSchema } from './commands/schema-check.js';

// The SQL schema manager describes a table it would create as `create table <name>`.
const CREATE_TABLE = /^create table (\S+)$/;

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
  const wanted = new Set([...db.schemas.values()].filter(only).map((s) => s.table));
  const plan = await planSchema(db);
  return plan.additive.map((s) => CREATE_TABLE.exec(s.description)?.[1]).filter((t): t is string => t !== undefined && wanted.has(t));
}

/**
 * Refuse (exit 1, code `SCHEMA`) before the command reads anything when
 * tables it needs are missing, naming them and the command that creates
 * them, instead of the backend's "relation does not exist". The driver
 * must be connected; the plugins need not be (they would touch the
 * missing tables at connect).
 *
 * @example
 * ```ts
 * await db.driver.connect();
 * await requireTables(db); // throws on a database that was never migrated
 * ```
 */
export async function requireTables(db: Database<RepositoryMap>, only?: (schema: RepositorySchema) => boolean): Promise<void> {
  const missing = await missingTables(db, only);
  if (missing.length === 0) return;
  const what = missing.length === 1 ? `table ${missing[0]} does not exist` : `tables ${missing.join(', ')} do not exist`;
  throw new CliError(
    `The database is not set up: ${what}. Run \`chatcore migrate up\` (or \`chatcore schema apply\`) to create what is missing, then run this command again. Nothing was changed.`,
    { exitCode: EXIT.CHECK_FAILED, code: 'SCHEMA' },
  );
}
