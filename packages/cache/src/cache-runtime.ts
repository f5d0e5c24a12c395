import { ConfigError } from '@chatcore/core';
import type { PluginHost } from '@chatcore/core/plugin';
import { KeyNames } from './cache-keys.js';
import { concealOptions, repositorySettings, resolveOptions, type CacheOptions, type ResolvedOptions, type ResolvedRepository } from './cache-options.js';
import { CacheCounters } from './cache-counters.js';
import { CounterFloors } from './counter-floors.js';
import { EntryAuthenticator } from './entry-authenticator.js';
import { Generations } from './generations.js';
import { InvalidationBus } from './invalidation-bus.js';
import { Invalidator } from './invalidator.js';
import { ReadThrough } from './read-through.js';
import { InProcessTier } from './tiers/in-process-tier.js';
import { MemorySharedTier } from './tiers/memory-shared-tier.js';
import { closeClient, createRedisConnection, type RedisCommands } from './tiers/redis-connection.js';
import { RedisGuard } from './tiers/redis-guard.js';
import { RedisSharedTier } from './tiers/redis-shared-tier.js';
import type { SharedTier } from './tiers/shared-tier.js';

/**
 * After Redis comes back (bus heard again, or breaker closed), both tiers are
 * bypassed this long: other processes replay the invalidations they could not
 * send (they reconnect within 100 ms and retry every 25 ms), and until those
 * land, entries from before the outage may hold values they overwrote.
 */
const CATCH_UP_MS = 300;
/** No repository reads through this one. */
const NONE: readonly string[] = [];

/**
 * The cache plugin's parts and their lifecycle: `connect` builds the tiers,
 * the Redis connection and bus, the invalidator and the read path for the
 * database's repositories; `close` releases them. The read and write roles
 * of the plugin work on the parts it holds.
 *
 * @example
 * ```ts
 * const runtime = new CacheRuntime({ redisUrl: 'redis://127.0.0.1:6379' });
 * await runtime.connect(host); // from Plugin.connect
 * await runtime.close();
 * ```
 */
export class CacheRuntime {
  readonly options: ResolvedOptions;
  readonly counters = new CacheCounters();
  readonly keys: KeyNames;
  /** The repositories the cache serves, with their settings (empty until connected). */
  repos = new Map<string, ResolvedRepository>();
  /** By join repository: the cached repositories whose limited many-to-many queries read through it (see PluginHost.readsThrough). */
  readers = new Map<string, readonly string[]>();
  local: InProcessTier | undefined;
  shared: SharedTier | undefined;
  guard: RedisGuard | undefined;
  bus: InvalidationBus | undefined;
  client: RedisCommands | undefined;
  invalidator: Invalidator | undefined;
  reads: ReadThrough | undefined;
  readonly background = new Set<Promise<unknown>>();
  readonly auth: EntryAuthenticator;
  private host: PluginHost | undefined;
  /** Until then, neither tier serves (see CATCH_UP_MS). */
  private catchUpUntil = 0;
  private started = false;

  /** The options as given: they may hold the Redis password and the cache key in plain text. */
  readonly #input: CacheOptions;

  constructor(input: CacheOptions = {}) {
    this.#input = input;
    this.options = resolveOptions(concealOptions(input));
    this.keys = new KeyNames(this.options.namespace);
    this.auth = new EntryAuthenticator(input.key);
  }

  /** A shared-tier entry or bus message failed its checks: counted, and reported as a security event. */
  private rejected(repository: string | undefined, reason: string): void {
    if (repository) this.counters.add(repository, 'shared', 'rejected', 1, reason);
    const what = reason === 'bus' ? 'an invalidation message on the cache bus failed authentication and was ignored' : `a shared-tier cache entry was refused (${reason}); the read went to the database`;
    this.host?.reportSecurityEvent({ type: 'integrity_failure', source: 'cache', repository, message: `cache: ${what}. Someone may be writing to Redis.`, details: { reason, tier: 'shared', namespace: this.options.namespace } });
  }

  async connect(host: PluginHost): Promise<void> {
    if (!this.options.enabled) return;
    this.host = host;
    for (const [name, setting] of Object.entries(this.#input.repositories ?? {})) {
      const schema = host.schemas.get(name);
      if (!schema) throw new ConfigError(`cache: repositories.${name} names no repository of this database (known: ${[...host.schemas.keys()].filter((n) => !host.schemas.get(n)!.ownedBy).join(', ')}).`);
      if (schema.ownedBy && setting !== false) throw new ConfigError(`cache: repositories.${name} belongs to the ${schema.ownedBy} plugin, and plugin-owned repositories are never cached; remove it from repositories.`);
    }
    const repos = new Map<string, ResolvedRepository>();
    for (const [name, schema] of host.schemas) {
      // A plugin's own rows (the audit outbox) are written below every plugin: the cache would never see them change.
      if (schema.ownedBy) continue;
      const s = repositorySettings(schema, this.#input, this.options);
      if (s) repos.set(name, s);
    }
    this.repos = repos;
    const readers = new Map<string, readonly string[]>();
    for (const [join, targets] of host.readsThrough) {
      const cachedTargets = targets.filter((t) => repos.has(t));
      if (cachedTargets.length) readers.set(join, cachedTargets);
    }
    this.readers = readers;
    const o = this.options;
    const generations = new Generations();
    const maxGrace = Math.max(o.graceMs, ...[...repos.values()].map((r) => r.graceMs));
    // An entry filled under an older counter value lives at most maxTtl + grace: its floor needs to live no longer.
    // A counter outlives every entry checked against it, and a fill slower than 5 minutes.
    const counterTtlMs = o.maxTtlMs + maxGrace + 300_000;
    const floors = new CounterFloors({ ttlMs: o.maxTtlMs + maxGrace + 1000, maxEntries: 100_000 });
    if (o.local) this.local = new InProcessTier({ maxEntries: o.localMaxEntries, maxBytes: o.localMaxBytes, generations, onEvict: (repo) => this.counters.add(repo, 'local', 'evictions') });
    if (o.redis) {
      const guard = new RedisGuard({ timeoutMs: o.redisTimeoutMs, failures: o.breakerFailures, halfOpenAfterMs: o.halfOpenAfterMs });
      const { client, isCluster } = createRedisConnection(o.redis, Math.max(500, o.redisTimeoutMs * 3));
      this.guard = guard;
      this.client = client;
      const connecting = client.connect().catch(() => undefined);
      await Promise.race([connecting, new Promise((r) => setTimeout(r, Math.max(1000, o.redisTimeoutMs * 5)).unref())]);
      if (o.shared) this.shared = new RedisSharedTier(client, isCluster, guard);
      this.bus = new InvalidationBus(client, this.keys.channel(), guard, this.auth, {
        heartbeatMs: o.heartbeatMs,
        onMessage: (m) => {
          if (m.all) this.invalidator?.applyAll();
          else if (typeof m.repo === 'string' && Array.isArray(m.ids)) this.invalidator?.received(m.repo, m.ids, m.epochs, m.generation);
        },
        onForged: () => this.rejected(undefined, 'bus'),
        onReconnect: () => {
          this.invalidator?.applyAll();
          this.catchUp();
        },
        onDown: () => this.invalidator?.applyAll(),
      });
      // Reconnected: replay queued invalidations now, not at the next retry tick or breaker probe.
      client.on('ready', () => void this.invalidator?.flush());
      guard.onStateChange((state) => {
        if (state !== 'closed') return;
        this.catchUp();
        void this.invalidator?.flush();
      });
    } else if (o.shared) {
      this.shared = new MemorySharedTier({ maxEntries: o.memoryMaxEntries });
    }
    this.invalidator = new Invalidator({
      floors,
      keys: this.keys,
      generations,
      local: this.local,
      shared: this.shared,
      bus: this.bus,
      counters: this.counters,
      cached: (repo) => this.repos.has(repo),
      readers: (repo) => this.readers.get(repo) ?? NONE,
      counterTtlMs,
      clearShared: async () => {
        await this.clearShared();
      },
    });
    this.reads = new ReadThrough({
      local: this.local,
      shared: this.shared,
      counters: this.counters,
      generations,
      auth: this.auth,
      floors,
      onRejected: (repo, reason) => this.rejected(repo, reason),
      counterTtlMs,
      localTrusted: this.bus ? () => this.bus!.isUp() && !this.catchingUp() : () => true,
      sharedUsable: () => !this.guard?.isOpen && this.invalidator!.delivered && !this.catchingUp(),
      track: (p) => {
        this.background.add(p);
        p.finally(() => this.background.delete(p)).catch(() => undefined);
      },
    });
    if (this.bus) {
      await this.bus.start(Math.max(1000, o.redisTimeoutMs * 5));
      // Give the first heartbeat a moment so a fresh process starts with its in-process tier on.
      for (let i = 0; i < 20 && !this.bus.isUp(); i++) await new Promise((r) => setTimeout(r, 25));
    }
    this.started = true;
  }

  /**
   * Drop every entry of this namespace in both tiers and tell the other
   * processes to drop theirs (plugin.clear, and a failed write whose rows
   * are unknown). SCAN on Redis. Returns how many shared keys were dropped.
   */
  async clearAll(): Promise<number> {
    this.invalidator?.applyAll();
    const n = await this.clearShared();
    await this.bus?.publish({ all: true }).catch(() => undefined);
    return n;
  }

  /** Drop every entry of this namespace from the shared tier (SCAN on Redis): how many were dropped. */
  clearShared(): Promise<number> {
    return this.shared ? this.shared.clear(this.keys.pattern()) : Promise.resolve(0);
  }

  /** Redis is back after an outage: bypass both tiers while other processes replay their invalidations. */
  private catchUp(): void {
    if (this.started) this.catchUpUntil = Date.now() + CATCH_UP_MS;
  }

  /** Whether both tiers are bypassed because Redis came back only just now. */
  catchingUp(): boolean {
    return this.catchUpUntil !== 0 && Date.now() < this.catchUpUntil;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.background]);
    // One last try to deliver invalidations that Redis missed (bounded by the call timeout).
    if (this.invalidator && !this.invalidator.delivered) await this.invalidator.flush();
    this.invalidator?.close();
    await this.bus?.close();
    await this.shared?.close();
    if (this.client && !this.shared) await closeClient(this.client);
  }
}
