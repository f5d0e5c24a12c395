import net from 'node:net';
import { ConfigError } from '../errors.js';

/**
 * The services chatcore's own test files need; `requireService` knows
 * where each usually listens. Other services are named freely.
 *
 * @example
 * ```ts
 * const needed: ServiceName[] = ['postgres', 'redis'];
 * for (const name of needed) await requireService(name);
 * ```
 */
export type ServiceName = 'postgres' | 'redis' | 'firestore';

const DEFAULTS: Record<ServiceName, { host: string; port: number; env: string }> = {
  postgres: { host: '127.0.0.1', port: 5432, env: 'CHATCORE_PG_URL' },
  redis: { host: '127.0.0.1', port: 6379, env: 'CHATCORE_REDIS_URL' },
  firestore: { host: '127.0.0.1', port: 8080, env: 'FIRESTORE_EMULATOR_HOST' },
};

/**
 * Whether a TCP service answers (300 ms budget). A connection the process
 * could not see in time because it was not scheduled (a loaded machine)
 * still counts: when the budget runs out, the answer waits for the event
 * loop to poll the socket once more.
 *
 * @example
 * ```ts
 * const redisUp = await isReachable('127.0.0.1', 6379); // false when nothing answers within 300 ms
 * ```
 */
export function isReachable(host: string, port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    // Timers run before I/O in a turn of the event loop: after a stall, the timeout would fire before an established connection is seen.
    socket.setTimeout(timeoutMs, () => setImmediate(() => done(false)));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * For test files that need a server. When the service is unreachable: with
 * CHATCORE_REQUIRE_SERVICES=1 (CI) it throws, so the file fails; otherwise it
 * prints a `CHATCORE_SKIP` line that the test runner reports, and exits the
 * process with code 0 before any test is registered.
 *
 * The built-in services are found at their usual address, or where
 * `CHATCORE_PG_URL`, `CHATCORE_REDIS_URL` or `FIRESTORE_EMULATOR_HOST` say. Any
 * other service (a custom backend's server) is named freely and its address
 * given: `requireService('mydb', { host, port })`.
 *
 * @example
 * ```ts
 * await requireService('postgres');
 * await requireService('mydb', parseTarget(process.env.MYDB_HOST) ?? { host: '127.0.0.1', port: 7000 });
 * ```
 */
export async function requireService(name: ServiceName, target?: ServiceTarget): Promise<void>;
export async function requireService(name: string, target: ServiceTarget): Promise<void>;
export async function requireService(name: string, given?: ServiceTarget): Promise<void> {
  const known = Object.hasOwn(DEFAULTS, name) ? DEFAULTS[name as ServiceName] : undefined;
  const target = given ?? (known && (parseTarget(process.env[known.env]) ?? known));
  if (!target) {
    throw new ConfigError(`requireService('${name}'): ${name} is not a service chatcore knows (${Object.keys(DEFAULTS).join(', ')}); give its address: requireService('${name}', { host, port }).`);
  }
  const { host, port } = target;
  if (await isReachable(host, port, 1000)) return;
  const reason = `${name} is not reachable at ${host}:${port}`;
  if (process.env.CHATCORE_REQUIRE_SERVICES === '1') {
    throw new Error(`${reason}, and CHATCORE_REQUIRE_SERVICES=1 makes it required. Start it (see README, "Services").`);
  }
  console.log(`CHATCORE_SKIP ${reason}; set CHATCORE_REQUIRE_SERVICES=1 to make this a failure.`);
  process.exit(0);
}

/**
 * Where a service listens.
 *
 * @example
 * ```ts
 * const target: ServiceTarget = { host: '127.0.0.1', port: 7000 };
 * await requireService('mydb', target);
 * ```
 */
export interface ServiceTarget {
  readonly host: string;
  readonly port: number;
}

/**
 * `host:port` (or a URL) from an environment variable, or undefined when it is not one.
 *
 * @example
 * ```ts
 * const target = parseTarget(process.env.FIRESTORE_EMULATOR_HOST) ?? { host: '127.0.0.1', port: 8080 };
 * ```
 */
export function parseTarget(value: string | undefined): ServiceTarget | undefined {
  if (!value) return undefined;
  try {
    const u = new URL(value.includes('://') ? value : `tcp://${value}`);
    return { host: u.hostname || '127.0.0.1', port: Number(u.port) };
  } catch {
    return undefined;
  }
}
