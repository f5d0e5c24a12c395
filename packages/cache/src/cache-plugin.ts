import type { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import { ConfigError, type ComponentHealth } from '@chatcore/core';
import { parseDuration } from '@chatcore/core/config';
import { type AggregateRow, type Operation, type OperationContext, type OperationResult, type Plugin, type PluginHost, type StoredRow, type TransactionEvent } from '@chatcore/core/plugin';
import { KeyNames, canonicalAggregate, canonicalQuery, canonicalCondition, idDigest, schemaHash } from './cache-keys.js';
import { concealOptions, repositorySettings, resolveOptions, type CacheOptions, type ResolvedOptions, type ResolvedRepository } from './cache-options.js';
import { CacheCounters } from './cache-counters.js';
import { CounterFloors } from './counter-floors.js';
import { EntryAuthenticator } from './entry-authenticator.js';
import { aggregateCheck, countCheck, getCheck, queryCheck } from './entry-checks.js';
import type { CacheStats, CacheTier } from './cache-stats.js';
import { Generations } from './generations.js';
import { InvalidationBus } from './invalidation-bus.js';
import { Invalidator } from './invalidator.js';
import { ReadThrough, isLocalProbe, type LocalProbe, type ReadSpec } from './read-through.js';
import { InProcessTier } from './tiers/in-process-tier.js';
import { MemorySharedTier } from './tiers/memory-shared-tier.js';
import { closeClient, createRedisConnection, type RedisCommands } from './tiers/redis-connection.js';
import { RedisGuard } from './tiers/redis-guard.js';
import { RedisSharedTier } from './tiers/redis-shared-tier.js';
import type { SharedTier } from './tiers/shared-tier.js';

type ReadOp = Extract<Operation, { kind: 'get' | 'query' | 'count' | 'aggregate' }>;
const WRITES = new Set<Operation['kind']>(['insert', 'update', 'delete', 'upsert']);
/** ctx.state marker: this autocommitted write was already invalidated in `around`. */
const INVALIDATED = Symbol('cache.invalidated');
/**
 * `OperationResult.servedBy` of a result the cache answered without the
 * driver, by tier: the plugin's name, ':' and the tier (audit records a hit).
 */
const SERVED_BY: Readonly<Record<CacheTier, string>> = { local: 'cache:local', shared: 'cache:shared' };
/**
 * After Redis comes back (bus heard again, or breaker closed), both tiers are
 * bypassed this long: other processes replay the invalidations they could not
 * send (they reconnect within 100 ms and retry every 25 ms), and until those
 * land, entries from before the outage may hold values they overwrote.
 */
const CATCH_UP_MS = 300;

/** A result as the cache hands it up: `servedBy` only when a tier answered. */
function answer(rows: StoredRow[], from: CacheTier | undefined): OperationResult {
  return from ? { rows, servedBy: SERVED_BY[from] } : { rows };
}

const secretFieldsOf = new WeakMap<object, readonly string[]>();

/** Fields holding password hashes: never cached (core drops them from results anyway). */
function secretFields(schema: Operation['schema']): readonly string[] {
  let list = secretFieldsOf.get(schema);
  if (!list) secretFieldsOf.set(schema, (list = Object.entries(schema.fields).filter(([, m]) => m.secret).map(([f]) => f)));
  return list;
}

/** The in-process key of a get entry: repository, tenant/projection variant, id. */
function getKey(repo: string, variant: string, id: string): string {
  return `g\u0000${repo}\u0000${variant}\u0000${id}`;
}

function stripSecrets(rows: StoredRow[], secrets: readonly string[]): StoredRow[] {
  if (secrets.length) for (const r of rows) for (const f of secrets) delete r[f];
  return rows;
}

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
  private readonly options: ResolvedOptions;
  private readonly counters = new CacheCounters();
  private readonly keys: KeyNames;
  private repos = new Map<string, ResolvedRepository>();
  private local: InProcessTier | undefined;
  private shared: SharedTier | undefined;
  private guard: RedisGuard | undefined;
  private bus: InvalidationBus | undefined;
  private client: RedisCommands | undefined;
  private invalidator: Invalidator | undefined;
  private reads: ReadThrough | undefined;
  private readonly background = new Set<Promise<unknown>>();
  private readonly auth: EntryAuthenticator;
  private host: PluginHost | undefined;
  /** Until then, neither tier serves (see CATCH_UP_MS). */
  private catchUpUntil = 0;
  private started = false;

  constructor(private readonly input: CacheOptions = {}) {
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

  /**
   * What printing the plugin shows (util.inspect, JSON.stringify, String):
   * its settings without credentials, never the Redis clients inside it.
   */
  toJSON(): { plugin: string; namespace: string; redis: 'single' | 'cluster' | 'none'; local: boolean; shared: boolean } {
    const r = this.options.redis;
    return { plugin: this.name, namespace: this.options.namespace, redis: r ? (r.cluster?.length ? 'cluster' : 'single') : 'none', local: this.options.local, shared: this.options.shared };
  }

  [inspect.custom](): ReturnType<CachePlugin['toJSON']> {
    return this.toJSON();
  }

  toString(): string {
    return `CachePlugin(${this.options.namespace})`;
  }

  /** Metric events (`metric`: CacheMetricEvent) for a metrics plugin. */
  get events(): EventEmitter {
    return this.counters.events;
  }

  async connect(host: PluginHost): Promise<void> {
    if (!this.options.enabled) return;
    this.host = host;
    for (const [name, setting] of Object.entries(this.input.repositories ?? {})) {
      const schema = host.schemas.get(name);
      if (!schema) throw new ConfigError(`cache: repositories.${name} names no repository of this database (known: ${[...host.schemas.keys()].filter((n) => !host.schemas.get(n)!.ownedBy).join(', ')}).`);
      if (schema.ownedBy && setting !== false) throw new ConfigError(`cache: repositories.${name} belongs to the ${schema.ownedBy} plugin, and plugin-owned repositories are never cached; remove it from repositories.`);
    }
    const repos = new Map<string, ResolvedRepository>();
    for (const [name, schema] of host.schemas) {
      // A plugin's own rows (the audit outbox) are written below every plugin: the cache would never see them change.
      if (schema.ownedBy) continue;
      const s = repositorySettings(schema, this.input, this.options);
      if (s) repos.set(name, s);
    }
    this.repos = repos;
    const o = this.options;
    const generations = new Generations();
    const maxGrace = Math.max(o.graceMs, ...[...repos.values()].map((r) => r.graceMs));
    // An entry filled under an older counter value lives at most maxTtl + grace: its floor needs to live no longer.
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
      counterTtlMs: o.maxTtlMs + maxGrace + 300_000,
      clearShared: async () => {
        if (this.shared) await this.shared.clear(this.keys.pattern());
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

  /** Redis is back after an outage: bypass both tiers while other processes replay their invalidations. */
  private catchUp(): void {
    if (this.started) this.catchUpUntil = Date.now() + CATCH_UP_MS;
  }

  private catchingUp(): boolean {
    return this.catchUpUntil !== 0 && Date.now() < this.catchUpUntil;
  }

  around(op: Operation, ctx: OperationContext, next: (op: Operation) => Promise<OperationResult>): Promise<OperationResult> {
    if (WRITES.has(op.kind)) return ctx.transaction || !this.repos.has(op.schema.name) ? next(op) : this.autocommitWrite(op, ctx, next);
    if (op.kind !== 'get' && op.kind !== 'query' && op.kind !== 'count' && op.kind !== 'aggregate') return next(op);
    const cfg = this.repos.get(op.schema.name);
    if (!cfg || !this.reads) return next(op);
    const hint = ctx.options.cache as false | { ttl?: number | string } | undefined;
    if (hint === false || ctx.transaction) {
      // Inside a transaction a read may see uncommitted writes: never serve it from, or store it in, the cache.
      this.counters.add(op.schema.name, 'local', 'bypasses', 1, hint === false ? 'call-option' : 'transaction');
      return next(op);
    }
    let ttlMs = cfg.ttlMs;
    if (hint && typeof hint === 'object' && hint.ttl !== undefined) ttlMs = Math.min(parseDuration(hint.ttl, 'cache.ttl'), this.options.maxTtlMs);
    if (op.kind === 'get') {
      if (op.select && op.select.some((f) => secretFields(op.schema).includes(f))) {
        // verifySecret reads a password hash: that never goes into a cache.
        this.counters.add(op.schema.name, 'local', 'bypasses', 1, 'secret');
        return next(op);
      }
      const variant = cfg.tenantScoped || op.select ? this.variant(op, ctx, cfg) : '';
      if (op.ids.length === 1) {
        // The hot path: one id, answered from the in-process tier without building anything else.
        // The key and the probe are made once: a miss hands both on.
        const id = op.ids[0]!;
        const localKey = getKey(op.schema.name, variant, id);
        const probe = this.reads.probeLocal(op.schema.name, localKey);
        if (!isLocalProbe(probe)) return Promise.resolve({ rows: probe === null ? [] : [probe as StoredRow], servedBy: SERVED_BY.local });
        return this.getOne(op, cfg, ttlMs, variant, id, localKey, probe, next);
      }
      return op.ids.length ? this.getMany(op, cfg, ttlMs, variant, next) : next(op);
    }
    return this.query(op, ctx, cfg, ttlMs, next);
  }

  /** Tenant and projection of a get: part of its keys ('' when it has neither). */
  private variant(op: Extract<Operation, { kind: 'get' }>, ctx: OperationContext, cfg: ResolvedRepository): string {
    const tenant = cfg.tenantScoped ? `t=${ctx.tenant ?? '\u0001'}` : '';
    return op.select || tenant ? `${tenant}\u0000${op.select ? op.select.join(',') : ''}` : '';
  }

  private getSpec(op: Extract<Operation, { kind: 'get' }>, cfg: ResolvedRepository, ttlMs: number, variant: string, id: string, localKey: string, load: () => Promise<unknown>): ReadSpec {
    const repo = op.schema.name;
    let digest: string | undefined;
    let keys: readonly [string, string] | undefined;
    const d = () => (digest ??= idDigest(repo, id));
    return {
      repo, cfg, ttlMs, load, localKey,
      check: getCheck(id, !op.select || op.select.includes('id')),
      localIdKey: () => `${repo}\u0000${d()}`,
      // Derived at most once per call, and only when the in-process tier missed.
      sharedKeys: () => (keys ??= [this.keys.getEntry(repo, schemaHash(op.schema), d(), variant), this.keys.epoch(repo, d())]),
    };
  }

  private async getOne(op: Extract<Operation, { kind: 'get' }>, cfg: ResolvedRepository, ttlMs: number, variant: string, id: string, localKey: string, probe: LocalProbe, next: (op: Operation) => Promise<OperationResult>): Promise<OperationResult> {
    const secrets = secretFields(op.schema);
    const spec = this.getSpec(op, cfg, ttlMs, variant, id, localKey, async () => stripSecrets((await next(op)).rows, secrets)[0] ?? null);
    const { value, from } = await this.reads!.read(spec, probe);
    return answer(value ? [value as StoredRow] : [], from);
  }

  private async getMany(op: Extract<Operation, { kind: 'get' }>, cfg: ResolvedRepository, ttlMs: number, variant: string, next: (op: Operation) => Promise<OperationResult>): Promise<OperationResult> {
    const repo = op.schema.name;
    const specs = op.ids.map((id) => this.getSpec(op, cfg, ttlMs, variant, id, getKey(repo, variant, id), () => Promise.reject(new Error('batch load'))));
    const { values, from } = await this.reads!.readMany(specs, async (missing) => {
      const ids = missing.map((i) => op.ids[i]!);
      const result = await next({ ...op, ids });
      stripSecrets(result.rows, secretFields(op.schema));
      const byId = new Map(result.rows.map((r) => [r.id as string, r]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    return answer(values.filter((v): v is StoredRow => v !== null), from);
  }

  private async query(op: Exclude<ReadOp, { kind: 'get' }>, ctx: OperationContext, cfg: ResolvedRepository, ttlMs: number, next: (op: Operation) => Promise<OperationResult>): Promise<OperationResult> {
    const repo = op.schema.name;
    const tenant = cfg.tenantScoped ? `;t=${ctx.tenant ?? '\u0001'}` : '';
    const text = (op.kind === 'count' ? `C:${canonicalCondition(op.where)}` : op.kind === 'aggregate' ? `A:${canonicalAggregate(op.aggregate)}` : `Q:${canonicalQuery(op.query)}`) + tenant;
    let keys: readonly [string, string] | undefined;
    const { value, from } = await this.reads!.read({
      repo, cfg, ttlMs,
      localKey: `q\u0000${repo}\u0000${text}`,
      localIdKey: undefined,
      check: op.kind === 'count' ? countCheck : op.kind === 'aggregate' ? aggregateCheck(op.aggregate) : queryCheck(op.query),
      sharedKeys: () => (keys ??= [this.keys.queryEntry(repo, schemaHash(op.schema), text), this.keys.generation(repo)]),
      load: async () => {
        const r = await next(op);
        if (op.kind === 'aggregate') return r.groups ?? [];
        return op.kind === 'count' ? (r.count ?? 0) : stripSecrets(r.rows, secretFields(op.schema));
      },
    });
    if (op.kind === 'aggregate') return from ? { rows: [], groups: value as AggregateRow[], servedBy: SERVED_BY[from] } : { rows: [], groups: value as AggregateRow[] };
    if (op.kind !== 'count') return answer(value as StoredRow[], from);
    return from ? { rows: [], count: value as number, servedBy: SERVED_BY[from] } : { rows: [], count: value as number };
  }

  /**
   * A write outside any transaction is committed when the driver returns:
   * invalidate right then. This also covers writes that plugins send through
   * `host.execute` (re-encryption jobs), which fire no afterCommit.
   */
  private async autocommitWrite(op: Operation, ctx: OperationContext, next: (op: Operation) => Promise<OperationResult>): Promise<OperationResult> {
    const result = await next(op);
    ctx.state.set(INVALIDATED, true);
    const ids = op.kind === 'delete' ? (result.ids ?? []) : result.rows.map((r) => r.id as string);
    await this.invalidator?.committed({ transactionId: ctx.traceId, attempt: 1, implicit: true, operations: [{ op, ctx, result, ids }] });
    return result;
  }

  afterCommit(event: TransactionEvent): Promise<void> | undefined {
    // Core fires this after every autocommitted read too: return at once unless a write needs invalidating.
    let pending = false;
    for (const o of event.operations) {
      if (WRITES.has(o.op.kind) && !o.ctx.state.has(INVALIDATED)) {
        pending = true;
        break;
      }
    }
    if (!pending || !this.invalidator) return undefined;
    const operations = event.operations.filter((o) => WRITES.has(o.op.kind) && !o.ctx.state.has(INVALIDATED));
    return this.invalidator.committed({ ...event, operations });
  }

  /** Counters per repository and tier, and the state of the shared tier and the bus: a new plain object per call. */
  stats(): CacheStats {
    return this.counters.snapshot({
      breaker: this.guard ? this.guard.state : 'none',
      bus: this.bus ? (this.bus.isUp() && !this.catchingUp() ? 'up' : 'down') : 'none',
      authenticated: this.auth.keyed,
      pendingInvalidations: this.invalidator?.pendingCount ?? 0,
      localEntries: this.local?.size ?? 0,
      localBytes: this.local?.bytes ?? 0,
    });
  }

  /**
   * Admin: drop every entry of this namespace in both tiers and tell the other
   * processes to drop theirs. Uses SCAN on Redis: never call it on a request path.
   */
  async clear(): Promise<number> {
    this.invalidator?.applyAll();
    let n = 0;
    if (this.shared) n = await this.shared.clear(this.keys.pattern());
    await this.bus?.publish({ all: true }).catch(() => undefined);
    return n;
  }

  async health(): Promise<ComponentHealth[]> {
    const s = this.stats();
    const degraded = s.breaker === 'open' || s.bus === 'down' || s.pendingInvalidations > 0;
    // A Redis tier without a key works (entries are checksummed, not authenticated): said here rather than refused.
    const unkeyed = this.client && !s.authenticated ? { authenticated: false, warning: 'Redis shared tier without a cache key: a Redis writer can forge entries; set cache({ key }) / cache.key' } : {};
    return [{ name: this.name, status: degraded ? 'degraded' : 'up', details: { breaker: s.breaker, bus: s.bus, pendingInvalidations: s.pendingInvalidations, localEntries: s.localEntries, ...unkeyed } }];
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
