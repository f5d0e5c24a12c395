import type { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import type { ComponentHealth } from '@chatcore/core';
import type { Operation, OperationContext, OperationResult, Plugin, PluginHost, TransactionEvent } from '@chatcore/core/plugin';
import type { CacheOptions } from './cache-options.js';
import { CacheRuntime } from './cache-runtime.js';
import type { CacheStats } from './cache-stats.js';
import { CachedReads } from './cached-reads.js';
import { WriteInvalidation, isWrite } from './write-invalidation.js';

/**
 * The cache plugin: a read-through cache for get/getMany/find/findOne/
 * findPage/exists/count, invalidated after commit. Create it with `cache()`;
 * keep a reference to read `stats()` or subscribe to `events`.
 *
 * @example
 * ```ts
 * const c = cache({ redisUrl: 'redis://127.0.0.1:6379', repositories: { users: { ttl: '5m' } } });
 * const db = createDatabase({ driver, repositories: { users }, plugins: [encryption({ rootKey }), c] });
 * await db.connect(); console.log(c.stats().total.local.hits);
 * ```
 */
export class CachePlugin implements Plugin {
  readonly name = 'cache';
  readonly placement = { storesData: true } as const;
  /**
   * The tiers, the bus and the invalidator, built by connect(). Private
   * fields: the Redis clients (whose options hold the password), the
   * options and the cache key are out of reach of anything that walks the
   * plugin (console.dir, util.inspect without custom inspection, spreading).
   */
  readonly #rt: CacheRuntime;
  readonly #reads: CachedReads;
  readonly #writes: WriteInvalidation;

  constructor(input: CacheOptions = {}) {
    this.#rt = new CacheRuntime(input);
    this.#reads = new CachedReads(this.#rt);
    this.#writes = new WriteInvalidation(this.#rt);
  }

  /**
   * What printing the plugin shows (util.inspect, JSON.stringify, String):
   * its settings without credentials, never the Redis clients inside it.
   */
  toJSON(): { plugin: string; namespace: string; redis: 'single' | 'cluster' | 'none'; local: boolean; shared: boolean } {
    const o = this.#rt.options;
    const r = o.redis;
    return { plugin: this.name, namespace: o.namespace, redis: r ? (r.cluster?.length ? 'cluster' : 'single') : 'none', local: o.local, shared: o.shared };
  }

  [inspect.custom](): ReturnType<CachePlugin['toJSON']> {
    return this.toJSON();
  }

  toString(): string {
    return `CachePlugin(${this.#rt.options.namespace})`;
  }

  /** Metric events (`metric`: CacheMetricEvent) for a metrics plugin. */
  get events(): EventEmitter {
    return this.#rt.counters.events;
  }

  connect(host: PluginHost): Promise<void> {
    return this.#rt.connect(host);
  }

  around(op: Operation, ctx: OperationContext, next: (op: Operation) => Promise<OperationResult>): Promise<OperationResult> {
    return isWrite(op.kind) ? this.#writes.around(op, ctx, next) : this.#reads.around(op, ctx, next);
  }

  afterCommit(event: TransactionEvent): Promise<void> | undefined {
    return this.#writes.afterCommit(event);
  }

  /** Counters per repository and tier, and the state of the shared tier and the bus: a new plain object per call. */
  stats(): CacheStats {
    const rt = this.#rt;
    return rt.counters.snapshot({
      breaker: rt.guard ? rt.guard.state : 'none',
      bus: rt.bus ? (rt.bus.isUp() && !rt.catchingUp() ? 'up' : 'down') : 'none',
      authenticated: rt.auth.keyed,
      pendingInvalidations: rt.invalidator?.pendingCount ?? 0,
      localEntries: rt.local?.size ?? 0,
      localBytes: rt.local?.bytes ?? 0,
    });
  }

  /**
   * Admin: drop every entry of this namespace in both tiers and tell the other
   * processes to drop theirs. Uses SCAN on Redis: never call it on a request path.
   */
  clear(): Promise<number> {
    return this.#rt.clearAll();
  }

  async health(): Promise<ComponentHealth[]> {
    const s = this.stats();
    const degraded = s.breaker === 'open' || s.bus === 'down' || s.pendingInvalidations > 0;
    // A Redis tier without a key works (entries are checksummed, not authenticated): said here rather than refused.
    const unkeyed = this.#rt.client && !s.authenticated ? { authenticated: false, warning: 'Redis shared tier without a cache key: a Redis writer can forge entries; set cache({ key }) / cache.key' } : {};
    return [{ name: this.name, status: degraded ? 'degraded' : 'up', details: { breaker: s.breaker, bus: s.bus, pendingInvalidations: s.pendingInvalidations, localEntries: s.localEntries, ...unkeyed } }];
  }

  close(): Promise<void> {
    return this.#rt.close();
  }
}

/**
 * Create the cache plugin. Put it innermost (last) in the plugin list, below
 * encryption, so that it only ever sees ciphertext. It caches every
 * repository of the database (not the ones plugins own); `repositories`, or
 * `plugins: { cache: ... }` in a repository's definition, override the
 * settings of one or opt it out with `false`.
 *
 * @example
 * ```ts
 * import { cache } from '@chatcore/cache';
 * const db = createDatabase({
 *   driver, repositories: { users, messages },
 *   plugins: [audit(), encryption({ rootKey }), cache({ redisUrl: process.env.REDIS_URL, repositories: { users: { ttl: '5m' }, messages: false } })],
 * });
 * ```
 */
export function cache(options: CacheOptions = {}): CachePlugin {
  return new CachePlugin(options);
}
