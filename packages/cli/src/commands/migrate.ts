import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { MigrateResult, MigrationProgressEvent, MigrationState } from '@chatcore/migrate';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo, CommandResult } from '../output.js';
import { withDatabase, type CommandContext } from '../command-context.js';

type MigrateModule = typeof import('@chatcore/migrate');

async function migrateModule(): Promise<MigrateModule> {
  try {
    return await import('@chatcore/migrate');
  } catch (error) {
    throw new CliError('migrate needs @chatcore/migrate, which is not installed: pnpm add @chatcore/migrate', { cause: error, code: 'CONFIG' });
  }
}

/**
 * Options of `chatcore migrate status | up | create`.
 *
 * @example
 * ```ts
 * const o: MigrateCommandOptions = { dir: './dist/migrations', check: true };
 * ```
 */
export interface MigrateCommandOptions {
  /** The migrations folder (default: `migrations` next to the configuration file). */
  readonly dir?: string | undefined;
  /** `status`: exit 1 when a migration is pending or interrupted. */
  readonly check?: boolean | undefined;
  /** `create`: the file's extension (default `ts`; `mjs` runs on any Node without a build). */
  readonly extension?: 'ts' | 'mjs' | 'js' | undefined;
}

/**
 * The migrations folder a command uses: `--dir` from the working directory,
 * or `migrations` next to the configuration file.
 *
 * @example
 * ```ts
 * migrationsDir(ctx, undefined); // '/etc/chatcore/migrations' for --config /etc/chatcore/chatcore.yaml
 * ```
 */
export function migrationsDir(ctx: CommandContext, dir: string | undefined): string {
  return dir ? resolve(ctx.cwd, dir) : resolve(dirname(resolve(ctx.cwd, ctx.options.config)), 'migrations');
}

/** Node before 22.18 cannot import a .ts migration: say what to do instead of its TypeError. */
function explainImport(error: unknown, dir: string): never {
  let e: unknown = error;
  while (e && typeof e === 'object') {
    if ((e as { code?: unknown }).code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new CliError(
        `This Node (${process.version}) cannot import the TypeScript migrations in ${dir}: compile them and pass --dir <the compiled folder>, or write JavaScript ones (migrate create --ext mjs).`,
        { cause: error, code: 'MIGRATIONS' },
      );
    }
    e = (e as { cause?: unknown }).cause;
  }
  throw error;
}

/** `ts` where this Node imports TypeScript (type stripping), else `mjs`, which every supported Node runs. */
function defaultExtension(): 'ts' | 'mjs' {
  return (process.features as { typescript?: unknown }).typescript ? 'ts' : 'mjs';
}

const isoOf = (d: Date | undefined) => (d ? d.toISOString() : undefined);

function stateLine(s: MigrationState): string {
  const when = s.appliedAt ? ` (${s.appliedAt.toISOString()})` : '';
  const note = s.state === 'modified'
    ? `: edited since it was ${s.appliedAt ? 'applied; restore it and add a new migration' : 'started, in steps that already ran; restore them'}`
    : s.state === 'interrupted' ? ': started, not finished; `migrate up` resumes it' : '';
  return `  ${s.state.padEnd(11)} ${s.id}${when}${note}`;
}

/**
 * `chatcore migrate status`: each migration in the folder as applied,
 * pending, interrupted or modified. Exit 1 when one was edited after it was
 * applied, and with `--check` also when one is pending or interrupted.
 *
 * @example
 * ```ts
 * const result = await migrateStatusCommand(ctx, { dir: './dist/migrations', check: true });
 * ```
 */
export async function migrateStatusCommand(ctx: CommandContext, options: MigrateCommandOptions = {}): Promise<CommandResult> {
  const { migrationStatus } = await migrateModule();
  const dir = migrationsDir(ctx, options.dir);
  return withDatabase(ctx, { connect: false }, async (db) => {
    const states = await migrationStatus(db, { dir }).catch((e: unknown) => explainImport(e, dir));
    const pending = states.filter((s) => s.state === 'pending' || s.state === 'interrupted').map((s) => s.id);
    const modified = states.filter((s) => s.state === 'modified').map((s) => s.id);
    const ok = modified.length === 0 && (!options.check || pending.length === 0);
    const text = [
      states.length === 0 ? `No migrations in ${dir}${existsSync(dir) ? '' : ' (the folder does not exist)'}.` : `Migrations in ${dir}:`,
      ...states.map(stateLine),
      ...(modified.length ? [`Refused: ${modified.join(', ')} changed after it was applied.`] : []),
      // "Everything is applied." only when it is: an interrupted or modified migration says otherwise.
      ...(pending.length ? [`${pending.length} pending: run \`chatcore migrate up\`.`] : modified.length === 0 && states.length ? ['Everything is applied.'] : []),
    ];
    return {
      exitCode: ok ? EXIT.OK : EXIT.CHECK_FAILED,
      json: {
        ok,
        dir,
        pending,
        modified,
        migrations: states.map((s) => ({ id: s.id, state: s.state, appliedAt: isoOf(s.appliedAt), description: s.description })),
      },
      text,
    };
  });
}

/** A resumed migration says so, and whether it resumed with an edit (its new checksum recorded). */
function resumedNote(result: MigrateResult, id: string): string {
  if (result.edited.includes(id)) return ' (resumed with the edit to data steps that had not run; new checksum recorded)';
  return result.resumed.includes(id) ? ' (resumed)' : '';
}

function progressReporter(io: CliIo): ((e: MigrationProgressEvent) => void) | undefined {
  if (!io.stderr.isTTY) return undefined;
  return (e) => io.stderr.write(`${e.id}: ${e.message}${e.rows === undefined ? '' : ` (${e.rows} rows)`}\n`);
}

/**
 * `chatcore migrate up`: apply the pending migrations in order under the
 * migration lock, then add what else the repositories declare (tables,
 * columns, indexes), so a new database ends up complete. Prints each
 * applied id; progress goes to stderr when it is a terminal. An applied
 * migration edited since is refused (exit 1) before anything runs; with
 * nothing to do it changes nothing.
 *
 * @example
 * ```ts
 * const result = await migrateUpCommand(ctx, { dir: './dist/migrations' });
 * ```
 */
export async function migrateUpCommand(ctx: CommandContext, options: MigrateCommandOptions = {}): Promise<CommandResult> {
  const { migrate } = await migrateModule();
  const dir = migrationsDir(ctx, options.dir);
  return withDatabase(ctx, { connect: false, creates: true }, async (db) => {
    const onProgress = progressReporter(ctx.io);
    const result = await migrate(db, { dir, ...(onProgress ? { onProgress } : {}) }).catch((e: unknown) => explainImport(e, dir));
    // With nothing pending, migrate changes nothing: the additive part is still due on a new database.
    const added = result.applied.length ? [] : (await db.driver.ensureSchema([...db.schemas.values()], { mode: 'apply' })).applied;
    const statements = [...result.statements, ...added];
    const text = result.applied.length
      ? [...result.applied.map((id) => `applied ${id}${resumedNote(result, id)}`), `${result.applied.length} migration(s) applied.`]
      : [added.length ? `No migration pending; created what the repositories declare:` : `Nothing to do: every migration in ${dir} is applied and the schema matches.`, ...added.map((a) => `  + ${a}`)];
    return { exitCode: EXIT.OK, json: { ok: true, dir, applied: result.applied, resumed: result.resumed, edited: result.edited, statements }, text };
  });
}

/**
 * `chatcore migrate create <name>`: compare the repositories with the
 * database and write the skeleton of the next migration into the folder;
 * prints its path, and the questions to settle in it (a drop plus an add
 * may be a rename). Refused (exit 1, no file) while migrations are pending.
 *
 * @example
 * ```ts
 * const result = await migrateCreateCommand(ctx, 'add_plan', { dir: './src/migrations' });
 * ```
 */
export async function migrateCreateCommand(ctx: CommandContext, name: string, options: MigrateCommandOptions = {}): Promise<CommandResult> {
  const { createMigration, holdsTodo } = await migrateModule();
  const dir = migrationsDir(ctx, options.dir);
  return withDatabase(ctx, { connect: false }, async (db) => {
    const { path, id, plan } = await createMigration(db, { dir, name, extension: options.extension ?? defaultExtension() }).catch((e: unknown) => explainImport(e, dir));
    const steps = plan.changes.filter((c) => c.step !== null).length;
    // A value only the user knows (a backfill, a conversion) is written as a TODO comment that migrate up refuses.
    const todos = holdsTodo(plan.source);
    const text = [
      path,
      steps
        ? `${steps} step(s) to review; ${todos ? 'edit the TODOs' : 'check them'}, then run \`chatcore migrate up\`.`
        : 'The migration has no steps: the database matches the repositories, or lacks only what `chatcore migrate up` creates by itself (new tables, columns, indexes).',
      ...plan.questions.map((q) => `QUESTION: ${q}`),
    ];
    return { exitCode: EXIT.OK, json: { ok: true, id, path, changes: plan.changes, questions: plan.questions }, text };
  });
}
