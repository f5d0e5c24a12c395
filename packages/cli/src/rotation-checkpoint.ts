import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { cannotWrite, CliError } from './cli-error.js';

/**
 * Where a repository's re-encryption stands.
 *
 * @example
 * ```ts
 * const r: RepositoryRotation = { checkpoint: '0190...', done: false, scanned: 12_000, rewritten: 12_000 };
 * ```
 */
export interface RepositoryRotation {
  /** The last id re-encrypted; the next run starts after it. */
  readonly checkpoint: string | null;
  readonly done: boolean;
  readonly scanned: number;
  readonly rewritten: number;
}

/**
 * The saved state of `chatcore keys rotate`: which key it rotates to, and
 * each repository's checkpoint.
 *
 * @example
 * ```ts
 * const s: RotationState = { version: 1, activeKeyId: 'k2', repositories: {} };
 * ```
 */
export interface RotationState {
  readonly version: 1;
  readonly activeKeyId: string;
  readonly repositories: Readonly<Record<string, RepositoryRotation>>;
}

/**
 * The default checkpoint file: next to the configuration, named after it
 * (`chatcore.yaml` keeps its rotation in `chatcore.rotation.json`).
 *
 * @example
 * ```ts
 * defaultCheckpointPath('/etc/chatcore/chatcore.yaml'); // '/etc/chatcore/chatcore.rotation.json'
 * ```
 */
export function defaultCheckpointPath(configPath: string): string {
  return join(dirname(configPath), `${basename(configPath, extname(configPath))}.rotation.json`);
}

/**
 * The rotation state saved in a file, or undefined when there is none.
 *
 * @example
 * ```ts
 * const state = readRotationState('chatcore.rotation.json');
 * ```
 */
export function readRotationState(file: string): RotationState | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`The rotation checkpoint ${file} is not valid JSON: remove it to start the rotation over.`, { cause: error, code: 'CHECKPOINT' });
  }
  const s = parsed as Partial<RotationState>;
  if (s.version !== 1 || typeof s.activeKeyId !== 'string' || typeof s.repositories !== 'object' || s.repositories === null) {
    throw new CliError(`The rotation checkpoint ${file} is not one chatcore wrote: remove it to start the rotation over.`, { code: 'CHECKPOINT' });
  }
  return s as RotationState;
}

/**
 * Save the state atomically (write a temporary file, then rename), so a run
 * killed at any moment leaves either the previous state or the new one.
 *
 * @example
 * ```ts
 * writeRotationState('chatcore.rotation.json', { version: 1, activeKeyId: 'k2', repositories: { users: { checkpoint: id, done: false, scanned: 500, rewritten: 500 } } });
 * ```
 */
export function writeRotationState(file: string, state: RotationState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, file);
  } catch (error) {
    // Saved before the first batch: a checkpoint that cannot be kept stops the run before any row changes.
    throw cannotWrite('the rotation checkpoint', file, error, 'pass --checkpoint <file> to keep it elsewhere.');
  }
}

/**
 * Remove the checkpoint file once a rotation is complete.
 *
 * @example
 * ```ts
 * clearRotationState('chatcore.rotation.json');
 * ```
 */
export function clearRotationState(file: string): void {
  rmSync(file, { force: true });
}
