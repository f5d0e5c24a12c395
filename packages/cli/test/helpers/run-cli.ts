import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built binary: tests run what users run. */
export const BIN = join(fileURLToPath(import.meta.url), '..', '..', '..', 'dist', 'bin.js');
export const FIXTURE_REPOSITORIES = join(fileURLToPath(import.meta.url), '..', '..', 'fixtures', 'repositories.mjs');

if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run pnpm run build first (the tests run the built chatcore binary).`);

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Start `node dist/bin.js ...args` in `cwd`; the caller may kill it. */
export function startCli(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; command?: string }): { child: ChildProcess; done: Promise<CliRun> } {
  // No source condition or tsx loader from the test runner: the binary runs as installed.
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', FORCE_COLOR: '0', ...options.env };
  // `command` runs something else around the binary (e.g. `script` for a pseudo-terminal); args are then its own.
  const child = spawn(options.command ?? process.execPath, options.command ? [...args] : [BIN, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliRun>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/** Run the binary to the end (killed after `timeoutMs`). */
export async function runCli(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; command?: string }): Promise<CliRun> {
  const { child, done } = startCli(args, options);
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 180_000);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}

/** Parse the --json output, with the whole run in the message when it is not JSON. */
export function jsonOf<T = Record<string, unknown>>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${run.code}):\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  }
}

/** A one-line description of a run for assertion messages. */
export function show(run: CliRun): string {
  return `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
}
