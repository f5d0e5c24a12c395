import { readFileSync } from 'node:fs';
import net from 'node:net';

/** Where closed ports are drawn from: below every usual start of the kernel's ephemeral range. */
const LOW = 10_000;
const HIGH = 20_000;

/** The first port of the kernel's ephemeral range (32768 where /proc does not say). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/** Whether a connect to 127.0.0.1:port is refused (nothing listens there). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.once('connect', () => done(false));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED'));
  });
}

/**
 * A TCP port on 127.0.0.1 where nothing listens, for tests of an unreachable
 * server: a connect to it is refused. It lies below the kernel's ephemeral
 * range, so, unlike a port from `freePort()` (given back to the OS), no
 * `listen(0)` of a concurrent test and no outgoing connection can take it
 * while the test relies on it being closed.
 *
 * @example
 * ```ts
 * const port = await closedPort();
 * const url = `postgres://app@127.0.0.1:${port}/chat`; // every connect is refused
 * ```
 */
export async function closedPort(): Promise<number> {
  const high = Math.min(HIGH, ephemeralLow());
  if (high <= LOW) throw new Error(`closedPort: the ephemeral port range starts at ${high}, leaving no port below it from ${LOW}`);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = LOW + Math.floor(Math.random() * (high - LOW));
    if (await refused(port)) return port;
  }
  throw new Error(`closedPort: 50 ports between ${LOW} and ${high} all answered or failed otherwise`);
}
