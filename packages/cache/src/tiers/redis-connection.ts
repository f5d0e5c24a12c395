import { createClient, createCluster, type RedisClientOptions } from '@keyv/redis';
import { ConfigError } from '@chatcore/core';
import type { SecretValue } from '@chatcore/core/plugin';

/**
 * Where the shared tier's Redis is: one server (url or client options) or a cluster (seed node urls).
 *
 * @example
 * ```ts
 * const t: RedisTarget = { cluster: ['redis://127.0.0.1:7000', 'redis://127.0.0.1:7001'] };
 * ```
 */
export interface RedisTarget {
  readonly url?: SecretValue<string> | undefined;
  readonly client?: SecretValue<RedisClientOptions> | undefined;
  readonly cluster?: readonly string[] | undefined;
}

/**
 * The commands the cache uses, the same on a single server and a cluster.
 *
 * @example
 * ```ts
 * await client.incr('app:{users}:gen');
 * ```
 */
export interface RedisCommands {
  get(key: string): Promise<string | null>;
  incr(key: string): Promise<number>;
  pExpire(key: string, ms: number): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
  unlink(keys: string[]): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  connect(): Promise<unknown>;
  close(): Promise<void>;
  destroy(): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  duplicate(): RedisCommands;
}

interface ScanClient {
  scanIterator(options: { MATCH: string; COUNT: number }): AsyncIterable<string[]>;
  unlink(keys: string[]): Promise<unknown>;
}

interface ClusterShape {
  readonly masters: readonly unknown[];
  nodeClient(node: unknown): Promise<ScanClient>;
}

/**
 * Reconnect every 25-100 ms: a process that reconnects late after an outage
 * delivers its queued invalidations late, and other processes would serve
 * what those invalidations kill meanwhile. (Commands sent while
 * disconnected fail at once: there is no offline queue.)
 */
const reconnectStrategy = (retries: number): number => Math.min(25 * 2 ** Math.min(retries, 2), 100);

/**
 * A Redis client (or cluster client) configured for a cache: no offline
 * queue, short connect timeout, quick reconnection, and an `error` listener
 * so that a connection error can never crash the process.
 *
 * @example
 * ```ts
 * const { client, isCluster } = createRedisConnection({ url: new SecretValue('redis://127.0.0.1:6379') }, 500);
 * ```
 */
export function createRedisConnection(target: RedisTarget, connectTimeoutMs: number): { client: RedisCommands; isCluster: boolean } {
  const socket = { connectTimeout: connectTimeoutMs, reconnectStrategy };
  let client: RedisCommands;
  // Credentials are revealed here only, straight into the client.
  const base: RedisClientOptions = target.client?.reveal() ?? {};
  try {
    if (target.cluster && target.cluster.length) {
      client = createCluster({
        rootNodes: target.cluster.map((url) => ({ url })),
        defaults: { ...base, disableOfflineQueue: true, socket: { ...(base.socket ?? {}), ...socket } } as RedisClientOptions,
      }) as unknown as RedisCommands;
    } else {
      const url = target.url?.reveal();
      client = createClient({ ...base, ...(url ? { url } : {}), disableOfflineQueue: true, socket: { ...(base.socket ?? {}), ...socket } } as RedisClientOptions) as unknown as RedisCommands;
    }
  } catch (err) {
    // node-redis's errors about its options (a URL's TypeError keeps the URL in `input`) may carry a
    // password: only their code goes on, and no cause.
    const code = (err as { code?: unknown } | null)?.code;
    const what = typeof code === 'string' && /^[A-Z_]{1,40}$/.test(code) ? ` (${code})` : '';
    throw new ConfigError(`cache: the Redis client refused its connection options${what}; check redisUrl, redis and cluster.`, { problems: [{ path: 'redis', message: `refused by the Redis client${what}` }] });
  }
  client.on('error', () => undefined);
  return { client, isCluster: Boolean(target.cluster && target.cluster.length) };
}

/**
 * SCAN the whole keyspace (every master of a cluster) for `pattern` and
 * UNLINK what matches. Admin only: never on a request path.
 *
 * @example
 * ```ts
 * await scanDelete(client, true, 'app:{*');
 * ```
 */
export async function scanDelete(client: RedisCommands, isCluster: boolean, pattern: string): Promise<number> {
  const nodes: ScanClient[] = [];
  if (isCluster) {
    const cluster = client as unknown as ClusterShape;
    for (const master of cluster.masters) nodes.push(await cluster.nodeClient(master));
  } else nodes.push(client as unknown as ScanClient);
  let n = 0;
  for (const node of nodes) {
    for await (const batch of node.scanIterator({ MATCH: pattern, COUNT: 500 })) {
      const keys = Array.isArray(batch) ? batch : [batch as unknown as string];
      if (!keys.length) continue;
      // One UNLINK per key: in a cluster, keys of one batch may sit in different slots.
      await Promise.all(keys.map((k) => node.unlink([k])));
      n += keys.length;
    }
  }
  return n;
}

/**
 * Close a client without waiting on a dead server: a polite close with a
 * short budget, then destroy. Never throws.
 *
 * @example
 * ```ts
 * await closeClient(client);
 * ```
 */
export async function closeClient(client: RedisCommands): Promise<void> {
  try {
    await Promise.race([client.close(), new Promise((r) => setTimeout(r, 500).unref())]);
  } catch {
    // already closed, or the connection is broken
  }
  try {
    client.destroy();
  } catch {
    // already closed
  }
}
