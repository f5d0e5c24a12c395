import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server of the test's own (no persistence), that the test can stop and start again on the same port. */
export interface OwnRedis {
  readonly port: number;
  readonly url: string;
  /** Start it (again); returns once this very process answers, or throws with the end of its log. */
  start(): void;
  /** Shut it down; returns once its process is gone (the port is free again). */
  stop(): void;
  /** Stop for good and remove the temp dir. */
  dispose(): void;
  /** Run one redis-cli command against this server; returns its output. */
  command(...args: string[]): string;
  /** The server's process id (while it runs). */
  pid(): number;
}

/** How long a start or a stop may take: a full test run on 2 busy cores has taken more than 5 s to start one. */
const WAIT_MS = 30_000;
/** Own servers listen here: below the kernel's ephemeral range (no outgoing connection holds these ports) and clear of the ports other tests use (test clusters at 2544x, the Redis cluster at 27000-27899). */
const PORTS = { low: 28000, high: 32767 };

/** redis-server, killed by the kernel when the test process dies, even by SIGKILL (a test runner's timeout), where setpriv can arrange it. */
const COMMAND = existsSync('/usr/bin/setpriv') ? ['/usr/bin/setpriv', '--pdeathsig', 'KILL', 'redis-server'] : ['redis-server'];

/** Block the thread for `ms` (start and stop are synchronous, as the tests call them between steps). */
const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** TCP ports something listens on now (IPv4 and IPv6), from /proc/net. */
function listeningPorts(): Set<number> {
  const ports = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === '0A' && local) ports.add(parseInt(local.split(':').at(-1)!, 16));
    }
  }
  return ports;
}

/** A port in PORTS, below the ephemeral range, that nothing listens on; random, so that test files running at once do not pick the same. */
function choosePort(): number {
  const [ephemeralLow] = existsSync('/proc/sys/net/ipv4/ip_local_port_range') ? readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number) : [PORTS.high + 1];
  const high = Math.min(PORTS.high, ephemeralLow! - 1);
  if (high <= PORTS.low) throw new Error(`ownRedis: the ephemeral port range starts at ${ephemeralLow}, below ${PORTS.low}: no port is safe for a test server`);
  const taken = listeningPorts();
  for (let i = 0; i < 200; i++) {
    const port = randomInt(PORTS.low, high + 1);
    if (!taken.has(port)) return port;
  }
  throw new Error(`ownRedis: no free port found in ${PORTS.low}-${high}`);
}

/** Whether the child runs (a zombie, dead but not yet reaped because the event loop is blocked, counts as gone). */
function running(proc: ChildProcess | undefined): proc is ChildProcess & { pid: number } {
  if (proc?.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return false;
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${proc.pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Start a redis-server of the test's own on a free port (see PORTS). The
 * server is a child of the test process, stopped by `dispose()` and killed
 * when the process exits, whatever happened. `extraArgs` go to redis-server
 * (e.g. `['--requirepass', pw]`); the helper's own redis-cli calls then
 * authenticate with `password`.
 *
 * @example
 * ```ts
 * const redis = ownRedis({ extraArgs: ['--requirepass', pw], password: pw });
 * redis.start();
 * test.after(() => redis.dispose());
 * ```
 */
export function ownRedis(options: { extraArgs?: readonly string[]; password?: string } = {}): OwnRedis {
  const port = choosePort();
  const dir = mkdtempSync(join(tmpdir(), `chatcore-redis-${port}-`));
  const log = join(dir, 'redis.log');
  const auth = options.password ? ['--no-auth-warning', '-a', options.password] : [];
  const cli = (args: string[], timeout = 10_000) => execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...auth, ...args], { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'ignore'] });
  let child: ChildProcess | undefined;
  let logFrom = 0; // where the current server's lines begin in the log
  /** What the current server wrote: its log, and its output before the log was open (a bad option, say). */
  const written = () => ['redis.log', 'redis.out'].map((f) => join(dir, f)).filter(existsSync).map((f) => readFileSync(f, 'utf8').slice(f === log ? logFrom : 0)).join('').trim();
  const kill = () => {
    if (!running(child)) return;
    try {
      process.kill(child.pid, 'SIGCONT'); // a test may have frozen it
      process.kill(child.pid, 'SIGKILL');
    } catch { /* gone meanwhile */ }
  };
  const spawnServer = () => {
    logFrom = existsSync(log) ? statSync(log).size : 0;
    const out = openSync(join(dir, 'redis.out'), 'w');
    try {
      const proc = spawn(COMMAND[0]!, [...COMMAND.slice(1), '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', log, ...(options.extraArgs ?? [])], { stdio: ['ignore', out, out] });
      proc.on('error', () => undefined);
      if (proc.pid === undefined) throw new Error('ownRedis: redis-server could not be run (is it installed and on PATH?)');
      proc.unref();
      return proc;
    } finally {
      closeSync(out);
    }
  };
  /** Our server answers, not another one on the port (a server that was stopped but is still exiting, say). */
  const answers = (pid: number) => {
    try {
      // A short timeout: whatever else holds the port may accept and never answer.
      return Number(/process_id:(\d+)/.exec(cli(['info', 'server'], 3000))?.[1]) === pid;
    } catch {
      return false;
    }
  };
  const server: OwnRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    start() {
      if (running(child)) return;
      const deadline = Date.now() + WAIT_MS;
      child = spawnServer();
      for (;;) {
        if (running(child) && answers(child.pid)) return;
        const exited = !running(child);
        if (Date.now() > deadline || (exited && !/Address already in use/.test(written()))) {
          kill();
          const why = exited ? 'exited' : `did not answer within ${WAIT_MS / 1000} s`;
          throw new Error(`redis-server on port ${port} ${why}; its last lines:\n${written().split('\n').slice(-5).join('\n') || '(none)'}`);
        }
        // The port still held (by the server stopped just before, say): start it again until the deadline.
        if (exited) child = spawnServer();
        pause(50);
      }
    },
    stop() {
      if (!running(child)) return;
      try {
        process.kill(child.pid, 'SIGCONT');
        cli(['shutdown', 'nosave']);
      } catch {
        // the connection closes as it shuts down
      }
      const deadline = Date.now() + WAIT_MS;
      while (running(child)) {
        if (Date.now() > deadline) kill();
        pause(20);
      }
    },
    command: (...args: string[]) => cli(args),
    pid: () => {
      if (!running(child)) throw new Error(`redis-server on port ${port} is not running`);
      return child.pid;
    },
    dispose() {
      process.off('exit', onExit);
      server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const onExit = () => {
    kill();
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', onExit);
  return server;
}
