import type { Database, RepositoryMap } from '@chatcore/core';
import type { RepositorySchema } from '@chatcore/core/driver';
import type { ChatcoreConfig } from '@chatcore/core/config';
import { CliError } from './cli-error.js';
import { backendLocation, withLocation } from './backend-location.js';
import { requireExistingDatabase } from './existing-database.js';
import { loadRepositories } from './load-repositories.js';
import { requireTables } from './missing-tables.js';
import { openStack, readStackConfig } from './open-stack.js';
import { connectWithin } from './reachable-backend.js';
import type { CliIo } from './output.js';

/**
 * The options every command takes.
 *
 * @example
 * ```ts
 * const options: GlobalOptions = { config: 'chatcore.yaml', repositories: './dist/schema.js', json: true };
 * ```
 */
export interface GlobalOptions {
  /** Path of chatcore.yaml (default ./chatcore.yaml). */
  readonly config: string;
  /** Module exporting the repositories (default: $CHATCORE_REPOSITORIES). */
  readonly repositories?: string | undefined;
  readonly json: boolean;
}

/**
 * What a command runs with: its streams, the global options, the environment.
 *
 * @example
 * ```ts
 * const ctx: CommandContext = { io: { stdout: process.stdout, stderr: process.stderr }, options, env: process.env, cwd: process.cwd() };
 * ```
 */
export interface CommandContext {
  readonly io: CliIo;
  readonly options: GlobalOptions;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/**
 * Every operation the CLI makes carries this actor, so audit trails show
 * which changes came from the command line.
 *
 * @example
 * ```ts
 * const fromCli = (event: { actor?: string }) => event.actor === CLI_ACTOR;
 * ```
 */
export const CLI_ACTOR = 'chatcore-cli';

/**
 * The configuration and the repositories of the application.
 *
 * @example
 * ```ts
 * const { config, repositories } = await loadApplication(ctx);
 * ```
 */
export async function loadApplication(ctx: CommandContext): Promise<{ config: ChatcoreConfig; repositories: RepositoryMap }> {
  const config = await readStackConfig(ctx.options.config, ctx.env);
  const specifier = ctx.options.repositories ?? ctx.env.CHATCORE_REPOSITORIES;
  if (!specifier) {
    throw new CliError('This command needs the application\'s repositories: pass --repositories <module> (a .js module exporting them) or set CHATCORE_REPOSITORIES.', { code: 'REPOSITORIES' });
  }
  return { config, repositories: await loadRepositories(specifier, ctx.cwd) };
}

/**
 * Build the stack, connect its driver (waiting at most 5 s for a server
 * to answer, see `connectWithin`), optionally connect the plugins too
 * (never changing the schema), run `fn` as the CLI actor, and close the
 * database whatever happens. With `tables`, the command is refused (exit
 * 1, naming them) when tables it reads are missing, before any plugin
 * connects: `true` for every table of the stack, or a filter of the
 * storage schemas; `columns` refuses too when those tables lack columns
 * the repositories declare. Unless `creates` is set (the commands that make the
 * schema: `schema apply`, `migrate up`), a database that does not exist
 * yet (a missing or empty PGlite data_dir) is refused before anything is
 * opened, rather than created empty. `reach: false` leaves connecting to
 * `fn` (`health` reports a backend that does not answer instead). A
 * ConnectionError names where the server was looked for.
 *
 * @example
 * ```ts
 * const n = await withDatabase(ctx, { connect: true, tables: true }, (db) => db.users.count());
 * ```
 */
export async function withDatabase<T>(
  ctx: CommandContext,
  options: { connect: boolean; tables?: boolean | ((schema: RepositorySchema) => boolean); columns?: boolean; creates?: boolean; reach?: boolean },
  fn: (db: Database<RepositoryMap>, app: { config: ChatcoreConfig; repositories: RepositoryMap }) => Promise<T>,
): Promise<T> {
  const app = await loadApplication(ctx);
  if (!options.creates) await requireExistingDatabase(app.config);
  const db = await openStack({ config: app.config, repositories: app.repositories, schemaMode: 'off' });
  try {
    // PGlite (not a server) keeps connecting where it did: only what needs it opens the files.
    if (options.reach !== false && (app.config.database.backend ?? 'pglite') !== 'pglite') await connectWithin(db, app.config, ctx.env);
    if (options.tables) {
      await db.driver.connect();
      await requireTables(db, options.tables === true ? undefined : options.tables, { columns: options.columns === true });
    }
    if (options.connect) await db.connect();
    return await db.withContext({ actor: CLI_ACTOR }, () => fn(db, app));
  } catch (error) {
    throw withLocation(error, backendLocation(app.config, ctx.env));
  } finally {
    await db.close().catch(() => undefined);
  }
}
