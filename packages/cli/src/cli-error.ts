import { ChatcoreError, ConfigError } from '@chatcore/core';
import { EXIT, type ExitCode } from './exit-codes.js';

/**
 * An error the CLI reports as a one-line message with an exit code, without
 * a stack trace: a bad argument (exit 2) or a refused operation (exit 1).
 *
 * @example
 * ```ts
 * throw new CliError('no key with id k9 in the keyring', { exitCode: EXIT.CHECK_FAILED, code: 'KEY' });
 * ```
 */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  readonly code: string;
  constructor(message: string, options: { exitCode?: ExitCode; code?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? EXIT.USAGE;
    this.code = options.code ?? 'USAGE';
  }
}

/**
 * The exit code and the printable form of any error a command throws:
 * configuration mistakes are usage errors (2), everything else is a failed
 * operation (1). Only the message is kept: chatcore errors never carry values.
 *
 * @example
 * ```ts
 * const { exitCode, code, message } = describeError(new ConfigError('bad file'));
 * exitCode; // 2
 * ```
 */
export function describeError(error: unknown): { exitCode: ExitCode; code: string; message: string } {
  if (error instanceof CliError) return { exitCode: error.exitCode, code: error.code, message: error.message };
  if (error instanceof ConfigError) return { exitCode: EXIT.USAGE, code: error.code, message: error.message };
  if (error instanceof ChatcoreError) return { exitCode: EXIT.CHECK_FAILED, code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'ERROR';
  return { exitCode: EXIT.CHECK_FAILED, code, message };
}

/**
 * The error for a file the command could not write (a folder that does not
 * exist, no permission): a usage error naming the file, the system's
 * reason and `hint`, instead of a bare `ENOENT: ... open '<tmp file>'`.
 *
 * @example
 * ```ts
 * try { writeFileSync(file, text); } catch (e) { throw cannotWrite('the index file', file, e, 'pass --firestore-indexes a writable path.'); }
 * ```
 */
export function cannotWrite(what: string, file: string, error: unknown, hint: string): CliError {
  const reason = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'error';
  return new CliError(`Cannot write ${what} ${file} (${reason}): check that its folder exists and is writable; ${hint}`, { exitCode: EXIT.USAGE, code: 'FILE', cause: error });
}
