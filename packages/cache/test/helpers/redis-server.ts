import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server of the test's own (no persistence), that the test can stop and start again on the same port. */
export interface OwnRedis {
  readonly port: number;
  readonly url: string;
  start(): void;
  stop(): void;
  /** Stop for good and remove the temp dir. */
  dispose(): void;
  /** Run one redis-cli command against this server; returns its output. */
  command(...args: string[]): string;
  /** The server's process id (while it runs). */
  pid(): number;
}

/** `extraArgs` go to redis-server (e.g. `['--requirepass', pw]`); the helper's own redis-cli calls then authenticate with `password`. */
export function ownRedis(port: number, options: { extraArgs?: readonly string[]; password?: string } = {}): OwnRedis {
  const dir = mkdtempSync(join(tmpdir(), `chatcore-redis-${port}-`));
  const auth = options.password ? ['--no-auth-warning', '-a', options.password] : [];
  const cli = (...args: string[]) => execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...auth, ...args], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
  const server: OwnRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    start() {
      execFileSync('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'yes', '--logfile', join(dir, 'redis.log'), ...(options.extraArgs ?? [])], { timeout: 10_000 });
      for (let i = 0; i < 100; i++) {
        try {
          if (cli('ping').includes('PONG')) return;
        } catch {
          // not up yet
        }
        execFileSync('sleep', ['0.05']);
      }
      throw new Error(`redis-server on ${port} did not start`);
    },
    stop() {
      try {
        cli('shutdown', 'nosave');
      } catch {
        // already down (the connection closes as it shuts down)
      }
    },
    command: (...args: string[]) => cli(...args),
    pid: () => Number(/process_id:(\d+)/.exec(cli('info', 'server'))![1]),
    dispose() {
      server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  process.on('exit', () => server.dispose());
  return server;
}
