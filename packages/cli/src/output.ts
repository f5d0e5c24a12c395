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
 * Print a result: one JSON document on stdout with `--json`, the text lines
 * otherwise. Every JSON object carries `ok` (true when the exit code is 0)
 * unless the command set it itself, so scripts can test one field whatever
 * the command.
 *
 * @example
 * ```ts
 * printResult(io, { exitCode: 0, json: { ok: true }, text: ['ok'] }, { json: false });
 * ```
 */
export function printResult(io: CliIo, result: CommandResult, options: { json: boolean }): void {
  if (options.json) io.stdout.write(`${JSON.stringify(withOk(result), null, 2)}\n`);
  else if (result.text.length) io.stdout.write(`${result.text.join('\n')}\n`);
}

/** The JSON of a result, with `ok` from the exit code when the command did not set it. */
function withOk(result: CommandResult): unknown {
  const json = result.json;
  if (json === null || typeof json !== 'object' || Array.isArray(json) || Object.hasOwn(json, 'ok')) return json;
  return { ok: result.exitCode === 0, ...json };
}
