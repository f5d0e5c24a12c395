import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CacheOptions } from '../../src/index.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A spawned cache process answering commands (see cache-child.ts). */
export interface CacheChild {
  call<T = unknown>(cmd: string, args?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
  readonly process: ChildProcess;
}

/** Start a child process with its own database handle and cache plugin; resolves once it is connected. */
export async function spawnCacheChild(config: { table: string; pgUrl: string; cache: CacheOptions }): Promise<CacheChild> {
  const child = spawn(process.execPath, ['--conditions=@chatcore/source', '--import', 'tsx', 'test/helpers/cache-child.ts', JSON.stringify(config)], {
    cwd: packageDir,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let ready!: () => void;
  let failed!: (e: Error) => void;
  const readyP = new Promise<void>((res, rej) => { ready = res; failed = rej; });
  child.once('exit', (code) => {
    failed(new Error(`child exited with ${code}`));
    for (const w of waiting.values()) w.reject(new Error(`child exited with ${code}`));
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let msg: { id?: number; ready?: boolean; value?: unknown; error?: string };
    try { msg = JSON.parse(line); } catch { return; }
    if (msg.ready) return ready();
    const w = waiting.get(msg.id!);
    if (!w) return;
    waiting.delete(msg.id!);
    if (msg.error) w.reject(new Error(msg.error));
    else w.resolve(msg.value);
  });
  await readyP;
  let next = 1;
  const call = <T,>(cmd: string, args: Record<string, unknown> = {}) => {
    const id = next++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.stdin!.write(`${JSON.stringify({ id, cmd, args })}\n`);
    });
  };
  return {
    process: child,
    call,
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      await call('close').catch(() => undefined);
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
