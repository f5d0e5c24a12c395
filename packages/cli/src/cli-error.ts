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
