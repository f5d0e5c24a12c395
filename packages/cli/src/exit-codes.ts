/**
 * Exit codes of the `chatcore` command, the same for every subcommand.
 *
 * - `OK` (0): the command did what it was asked and every check passed.
 * - `CHECK_FAILED` (1): a check failed or an operation was refused or failed
 *   (a component down, schema drift, a tampered audit trail, a key still in use,
 *   an unfinished migration that key commands wait for, a server that cannot
 *   be reached, a database without the tables the command reads).
 * - `USAGE` (2): the command line or the configuration is wrong (unknown
 *   option, unreadable or invalid YAML, a repositories module that cannot be
 *   loaded, a checkpoint or index file that cannot be written); nothing was done.
 *
 * @example
 * ```ts
 * import { EXIT } from '@chatcore/cli';
 * if (code === EXIT.CHECK_FAILED) console.error('check failed');
 * ```
 */
export const EXIT = {
  OK: 0,
  CHECK_FAILED: 1,
  USAGE: 2,
} as const;

/**
 * One of the exit codes in `EXIT`.
 *
 * @example
 * ```ts
 * const code: ExitCode = EXIT.USAGE;
 * ```
 */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
