import type { ExitCode } from './exit-codes.js';

/**
 * What a command returns: its exit code, the data printed by `--json`, and
 * the lines printed otherwise.
 *
 * @example
 * ```ts
 * const result: CommandResult = { exitCode: EXIT.OK, json: { status: 'up' }, text: ['status: up'] };
 * ```
 */
export interface CommandResult {
  readonly exitCode: ExitCode;
  readonly json: unknown;
  readonly text: readonly string[];
}

/**
 * Where a command writes: stdout for the result, stderr for progress and
 * diagnostics (tests pass their own streams).
 *
 * @example
 * ```ts
 * const io: CliIo = { stdout: process.stdout, stderr: process.stderr };
 * ```
 */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean };
}

/**
 * Print a result: one JSON document on stdout with `--json`, the text lines otherwise.
 *
 * @example
 * ```ts
 * printResult(io, { exitCode: 0, json: { ok: true }, text: ['ok'] }, { json: false });
 * ```
 */
export function printResult(io: CliIo, result: CommandResult, options: { json: boolean }): void {
  if (options.json) io.stdout.write(`${JSON.stringify(result.json, null, 2)}\n`);
  else if (result.text.length) io.stdout.write(`${result.text.join('\n')}\n`);
}
