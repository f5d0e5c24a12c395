/**
 * A path with a real round-trip delay to the local PostgreSQL, for
 * benchmarks whose answer depends on round trips (the N+1 loop): loopback
 * answers in ~0.1 ms, a deployed database is 0.2–1 ms away.
 *
 * `tc netem` on a veth pair would be the faithful way, but the kernel of
 * the benchmark machine has no netem qdisc ("Specified qdisc kind is
 * unknown"), and netem on `lo` would slow every other process. So the delay
 * comes from a forwarder in a separate process (delay-forwarder.py), which
 * holds each chunk for half the round trip in each direction; its threads
 * sleep on a monotonic-clock wait with 1 ns timer slack (Node and asyncio
 * timers have 1 ms granularity), ~25 µs late per wait. With thread wake-ups
 * and the two extra loopback hops a delayed round trip costs ~0.1–0.3 ms
 * more than asked, so the suite tunes the delay (`setOneWayMs`) against a
 * measured `select 1` round trip and prints what each path costs. The forwarder's own CPU is not the client's: CPU µs/op figures
 * stay comparable with loopback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

/** An open delayed path: connect to `host:port` instead of the target. */
export interface DelayLink {
  readonly host: string;
  readonly port: number;
  /** The round trip the link was asked to add (ms). */
  readonly rttMs: number;
  /** Change the forwarder's delay per direction (ms), e.g. after measuring the path. */
  setOneWayMs(ms: number): void;
  close(): void;
}

/** The forwarder's source, next to this file's source (bench/lib), from bench/dist/lib. */
const FORWARDER = fileURLToPath(new URL('../../lib/delay-forwarder.py', import.meta.url));

/**
 * Start a forwarder to `targetHost:targetPort` that adds `rttMs` to every
 * round trip; `close()` (also run at process exit) stops it, and it stops
 * by itself when this process dies (its stdin closes).
 *
 * @example
 * ```ts
 * const link = await openDelayLink(0.5, '127.0.0.1', 5432);
 * const url = `postgres://postgres@${link.host}:${link.port}/test`;
 * // ... measure ...
 * link.close();
 * ```
 */
export async function openDelayLink(rttMs: number, targetHost: string, targetPort: number): Promise<DelayLink> {
  if (!(rttMs > 0 && rttMs <= 100)) throw new Error(`delay link: round trip ${rttMs} ms out of range (0, 100]`);
  const child: ChildProcess = spawn('python3', [FORWARDER, String(rttMs / 2), targetHost, String(targetPort)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const close = () => {
    process.off('exit', close);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.on('exit', close);
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve(Number(line)));
    child.once('error', (err) => reject(new Error(`delay link: cannot start python3 (${err.message})`)));
    child.once('exit', (code) => reject(new Error(`delay link: the forwarder exited (${code})`)));
  }).catch((err: unknown) => {
    close();
    throw err;
  });
  const setOneWayMs = (ms: number) => { child.stdin!.write(`${Math.max(0, ms)}\n`); };
  return { host: '127.0.0.1', port, rttMs, setOneWayMs, close };
}
