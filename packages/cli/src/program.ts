import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { describeError } from './cli-error.js';
import type { CommandContext, GlobalOptions } from './command-context.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { printResult, type CliIo, type CommandResult } from './output.js';
import { healthCommand } from './commands/health.js';
import { statsCommand } from './commands/stats.js';
import { schemaCommand } from './commands/schema.js';
import { keysAddCommand, keysRetireCommand, keysRotateCommand, keysStatusCommand } from './commands/keys.js';
import { keysVerifyCommand } from './commands/keys-verify.js';
import { auditVerifyCommand } from './commands/audit.js';
import { migrateCreateCommand, migrateStatusCommand, migrateUpCommand } from './commands/migrate.js';

const EXIT_HELP = `
Exit codes:
  0  ok: done, every check passed
  1  a check failed or the operation was refused (component down, schema drift,
     pending migration with --check, edited applied migration, tampered audit
     trail, key still in use, server unreachable, tables missing)
  2  usage or configuration error (bad option, invalid chatcore.yaml,
     repositories module not found, a file that cannot be written);
     nothing was done`;

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}.`);
    return n;
  };
}

function migrationName(value: string): string {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(value)) throw new InvalidArgumentError('expected 1 to 100 letters, digits, _ or -.');
  return value;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * How to run the program: streams, environment and working directory.
 *
 * @example
 * ```ts
 * const options: RunOptions = { io: { stdout: process.stdout, stderr: process.stderr }, env: process.env, cwd: process.cwd() };
 * ```
 */
export interface RunOptions {
  readonly io?: CliIo;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/**
 * Build the `chatcore` command tree (commander). `onResult` receives what
 * the chosen command returned, with the context it ran in.
 *
 * @example
 * ```ts
 * const program = createProgram(io, async (ctx, runCommand) => { const result = await runCommand(ctx); console.log(result.exitCode); });
 * await program.parseAsync(['node', 'chatcore', 'health', '--json']);
 * ```
 */
export function createProgram(io: CliIo, onResult: (ctx: CommandContext, run: (ctx: CommandContext) => Promise<CommandResult>) => Promise<void>, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Command {
  const program = new Command('chatcore');
  program
    .description('Operate a chatcore stack configured in chatcore.yaml: health, stats, schema, migrations, keys, audit.')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .option('-c, --config <file>', 'the stack configuration', './chatcore.yaml')
    .option('-r, --repositories <module>', 'module exporting the application\'s repositories (default: $CHATCORE_REPOSITORIES)')
    .option('--json', 'print the result as one JSON document on stdout', false)
    .addHelpText('after', EXIT_HELP);

  const action = (run: (ctx: CommandContext, cmd: Command) => Promise<CommandResult>) => async function (this: Command) {
    const cmd = this;
    const g = cmd.optsWithGlobals<GlobalOptions>();
    const ctx: CommandContext = { io, env, cwd, options: { config: g.config, repositories: g.repositories, json: g.json === true } };
    await onResult(ctx, (c) => run(c, cmd));
  };

  program.command('health')
    .description('Check every component (servers, pool, breaker, plugins, schema); exit 1 when one is down.')
    .addHelpText('after', EXIT_HELP)
    .action(action((ctx) => healthCommand(ctx)));

  program.command('stats')
    .description('Row counts per repository, pool, breaker, cache hit rates and audit queue.')
    .addHelpText('after', EXIT_HELP)
    .action(action((ctx) => statsCommand(ctx)));

  const schema = program.command('schema').description('Compare the repositories with the database and make additive changes.');
  schema.command('plan')
    .description('Print the additive changes apply would make; exit 1 if a difference needs a migration.')
    .option('--sql', 'also print the SQL of each change', false)
    .option('--firestore-indexes <file>', 'Firestore: write the composite indexes the repositories need to this file (firestore.indexes.json form)')
    .addHelpText('after', EXIT_HELP)
    .action(action((ctx, cmd) => schemaCommand(ctx, 'plan', cmd.opts<{ sql: boolean; firestoreIndexes?: string }>())));
  schema.command('apply')
    .description('Make the additive changes; refused (exit 1, nothing changed) if a difference needs a migration.')
    .addHelpText('after', EXIT_HELP)
    .action(action((ctx) => schemaCommand(ctx, 'apply')));
  schema.command('verify')
    .description('Exit 1 when the database differs from the repositories in any way.')
    .addHelpText('after', EXIT_HELP)
    .action(action((ctx) => schemaCommand(ctx, 'verify')));

  const migrations = program.command('migrate').description('Versioned migrations (@chatcore/migrate): status, apply, write the next one.');
  const dirOption = () => new Option('--dir <folder>', 'the migrations folder (default: migrations next to the config file)');
  migrations.command('status')
    .description('Each migration: applied, pending, interrupted or modified; exit 1 if one was edited after it was applied.')
    .addOption(dirOption())
    .option('--check', 'also exit 1 when a migration is pending or interrupted', false)
    .addHelpText('after', EXIT_HELP)
    .action(action((ctx, cmd) => migrateStatusCommand(ctx, cmd.opts<{ dir?: string; check: boolean }>())));
  migrations.command('up')
    .description('Apply the pending migrations in order under a lock, then add what else the repositories declare.')
    .addOption(dirOption())
    .addHelpText('after', EXIT_HELP)
    .action(action((ctx, cmd) => migrateUpCommand(ctx, cmd.opts<{ dir?: string }>())));
  migrations.command('create')
    .description('Compare the repositories with the database and write the next migration\'s skeleton; print its path.')
    .argument('<name>', 'what it does, in letters, digits, _ and - (the id is <UTC timestamp>_<name>)', migrationName)
    .addOption(dirOption())
    .addOption(new Option('--ext <ext>', 'file type: ts, mjs or js (default: ts where Node imports TypeScript, 22.18 and later; else mjs)').choices(['ts', 'mjs', 'js']))
    .addHelpText('after', EXIT_HELP)
    .action(action((ctx, cmd) => {
      const o = cmd.opts<{ dir?: string; ext?: 'ts' | 'mjs' | 'js' }>();
      return migrateCreateCommand(ctx, String(cmd.args[0]), { dir: o.dir, extension: o.ext });
    }));

  const keys = program.command('keys').description('Encryption keys: usage, new keys, re-encryption, verification, retirement.');
  keys.command('status')
    .description('Stored values per key id and repository, and any unfinished rotation.')
    .option('--checkpoint <file>', 'rotation checkpoint file (default: <config name>.rotation.json next to the config)')
    .addHelpText('after', EXIT_HELP)
    .action(action((ctx, cmd) => keysStatusCommand(ctx, cmd.opts<{ checkpoint?: string }>())));
  keys.command('add')
    .description('Generate a key (or take one from --from-env), check it loads, and print the chatcore.yaml entry.')
    .requiredOption('--id <id>', 'key id (letters, digits, . _ -)')
    .option('--activate', 'the entry makes it the active key', false)
    .option('--from-env <var>', 'use the key in this environment variable instead of generating one')
    .addHelpText('after', EXIT_HELP)
    .action(action((ctx, cmd) => keysAddCommand(ctx, cmd.opts<{ id: string; activate: boolean; fromEnv?: string }>())));
  keys.command('rotate')
    .description('Re-encrypt stored values under the active key; resumable from a checkpoint file.')
    .option('--key <id>', 'activate this key (from the keyring) for the run')
    .option('--repository <name>', 'only this repository (repeatable)', collect)
    .addOption(new Option('--batch-size <n>', 'rows per batch').argParser(integer(1, 10_000)).default(500))
    .addOption(new Option('--concurrency <n>', 'rows rewritten at once within a batch').argParser(integer(1, 64)).default(4))
    .option('--checkpoint <file>', 'checkpoint file (default: <config name>.rotation.json next to the config)')
    .addHelpText('after', EXIT_HELP)
    .action(action((ctx, cmd) => {
      const o = cmd.opts<{ key?: string; repository?: string[]; batchSize: number; concurrency: number; checkpoint?: string }>();
      return keysRotateCommand(ctx, { key: o.key, repositories: o.repository, batchSize: o.batchSize, concurrency: o.concurrency, checkpoint: o.checkpoint });
    }));
  keys.command('verify')
    .description('Decrypt and authenticate every stored value (full scan); exit 1 listing the failures and their likely cause.')
    .option('--repository <name>', 'only this repository (repeatable)', collect)
    .addOption(new Option('--batch-size <n>', 'rows read at a time').argParser(integer(1, 10_000)).default(1000))
    .addOption(new Option('--max-findings <n>', 'failures listed at most').argParser(integer(1, 1000)).default(20))
    .addHelpText('after', EXIT_HELP)
    .action(action((ctx, cmd) => {
      const o = cmd.opts<{ repository?: string[]; batchSize: number; maxFindings: number }>();
      return keysVerifyCommand(ctx, { repositories: o.repository, batchSize: o.batchSize, maxFindings: o.maxFindings });
    }));
  keys.command('retire')
    .description('Confirm a key protects no stored value (exit 1 while any does).')
    .argument('<id>', 'key id')
    .addHelpText('after', EXIT_HELP)
    .action(action((ctx, cmd) => keysRetireCommand(ctx, String(cmd.args[0]))));

  const audit = program.command('audit').description('The tamper-evident audit trail.');
  audit.command('verify')
    .description('Verify the hash chain and checkpoints; exit 1 naming the first broken link.')
    .addOption(new Option('--from <source>', 'file (the file sink) or db (the outbox); default from the audit section').choices(['file', 'db']))
    .option('--trail <file>', 'trail file instead of the file sink, audit.sinks.file (repeatable, oldest first)', collect)
    .option('--checkpoints <file>', 'checkpoint file (default: audit.checkpoints.file, or the outbox\'s)')
    .addHelpText('after', EXIT_HELP)
    .action(action((ctx, cmd) => {
      const o = cmd.opts<{ from?: 'file' | 'db'; trail?: string[]; checkpoints?: string }>();
      return auditVerifyCommand(ctx, { from: o.from, trail: o.trail, checkpoints: o.checkpoints });
    }));
  return program;
}

/**
 * Run the `chatcore` command line and return its exit code; the result goes
 * to stdout (one JSON document with `--json`), errors and progress to
 * stderr. A failure is one line, never a stack trace; with `--json` it is
 * `{ "ok": false, "error": { code, message } }` on stdout.
 *
 * @example
 * ```ts
 * const code = await run(['health', '--config', 'chatcore.yaml', '--repositories', './dist/schema.js']);
 * process.exitCode = code;
 * ```
 */
export async function run(args: readonly string[], options: RunOptions = {}): Promise<ExitCode> {
  const io = options.io ?? { stdout: process.stdout, stderr: process.stderr };
  let exitCode: ExitCode = EXIT.OK;
  let json = args.includes('--json');
  const program = createProgram(io, async (ctx, runCommand) => {
    json = ctx.options.json;
    const result = await runCommand(ctx);
    printResult(io, result, { json });
    exitCode = result.exitCode;
  }, options.env ?? process.env, options.cwd ?? process.cwd());
  if (args.length === 0) {
    program.outputHelp();
    return EXIT.USAGE;
  }
  try {
    await program.parseAsync([...args], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version are successful exits. Help shown because a subcommand is missing
      // (commander.help with exit code 1) and every parse error are usage errors: commander
      // printed them on stderr; with --json the error document goes to stdout as for any failure.
      const asked = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || (error.code === 'commander.help' && error.exitCode === 0);
      if (asked) return EXIT.OK;
      if (json) io.stdout.write(`${JSON.stringify({ ok: false, error: { code: 'USAGE', message: usageMessage(program, args, error) } }, null, 2)}\n`);
      return EXIT.USAGE;
    }
    const { exitCode: code, code: errorCode, message } = describeError(error);
    if (json) io.stdout.write(`${JSON.stringify({ ok: false, error: { code: errorCode, message } }, null, 2)}\n`);
    else io.stderr.write(`chatcore: ${message}\n`);
    return code;
  }
}

/** The one-line message of a usage error: commander's, or which subcommands a bare command takes. */
function usageMessage(program: Command, args: readonly string[], error: CommanderError): string {
  if (error.code !== 'commander.help') return error.message.replace(/^error: /, '');
  let command = program;
  for (const arg of args) command = command.commands.find((c) => c.name() === arg) ?? command;
  const names = [command.name(), ...ancestors(command)].reverse().join(' ');
  return `${names} needs a subcommand: ${command.commands.map((c) => c.name()).join(', ')}.`;
}

function ancestors(command: Command): string[] {
  const out: string[] = [];
  for (let c = command.parent; c; c = c.parent) out.push(c.name());
  return out;
}
