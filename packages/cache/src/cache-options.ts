import { ConfigError } from '@chatcore/core';
import { resolveBreakerOptions, type BreakerOptions } from '@chatcore/core/config';
import { checkOptionKeys, durationOption, integerOption, MAX_TIMER_MS, optionKeys, sizeOption, SecretValue, type OptionBounds, type RepositorySchema } from '@chatcore/core/plugin';
import type { RedisClientOptions } from '@keyv/redis';
import type { CacheKeyInput } from './entry-authenticator.js';
import { checkRedisUrl } from './redis-url.js';

/**
 * Redis client options as `cache({ redis })` takes them: node-redis's
 * options, with `password` and `url` also accepted as a `SecretValue` (so
 * that printing the options shows no credential).
 *
 * @example
 * ```ts
 * const redis: CacheRedisOptions = { socket: { host: 'cache.internal', port: 6379 }, password: new SecretValue(process.env.REDIS_PASSWORD!) };
 * ```
 */
export type CacheRedisOptions = Omit<RedisClientOptions, 'password' | 'url'> & {
  readonly password?: string | SecretValue<string> | undefined;
  readonly url?: string | SecretValue<string> | undefined;
};

/**
 * Per-repository cache settings, in `cache({ repositories })` or in the
 * repository definition (`defineRepository(..., { plugins: { cache: {...} } })`).
 * Every repository is cached with the plugin's settings unless one of these
 * two places overrides them or opts it out (`false`, or `enabled: false`).
 *
 * @example
 * ```ts
 * cache({ repositories: { users: { ttl: '5m' }, messages: { ttl: '30s', tenantScoped: true }, drafts: false } });
 * ```
 */
export interface RepositoryCacheOptions {
  /** Time to live of entries (ms or '5m'); default: the plugin's `ttl`. */
  readonly ttl?: number | string;
  /** Stale-while-revalidate: serve an expired (never an invalidated) entry this long while one read refreshes it. */
  readonly grace?: number | string;
  /** Keys include ctx.tenant, so tenants never share entries. */
  readonly tenantScoped?: boolean;
  /** false: do not cache this repository (the same as `false` in place of the settings). */
  readonly enabled?: boolean;
}

/**
 * Options of `cache()`.
 *
 * @example
 * ```ts
 * cache({ redisUrl: process.env.REDIS_URL, ttl: '60s', repositories: { users: { ttl: '5m' } } });
 * ```
 */
export interface CacheOptions {
  /** false: the plugin passes every call through and opens no connection (default true). */
  readonly enabled?: boolean;
  /**
   * Redis for the shared tier and the invalidation bus. Without Redis the shared tier is keyv's in-memory store.
   * A URL with a password may be given as a `SecretValue`; printing the plugin never shows it either way.
   */
  readonly redisUrl?: string | SecretValue<string>;
  /** Redis client options (host, password, TLS...) instead of or in addition to `redisUrl`. */
  readonly redis?: CacheRedisOptions;
  /** Redis Cluster seed nodes (urls); the shared tier and the bus then run on the cluster. */
  readonly cluster?: readonly string[];
  /** Default TTL (ms or '60s'); default 60 s. */
  readonly ttl?: number | string;
  /** Default stale-while-revalidate grace; default 0 (off). */
  readonly grace?: number | string;
  /** Upper bound for every TTL, per-call ones included; default 1 h. Counter keys live this long after their last write. */
  readonly maxTtl?: number | string;
  /**
   * Every repository of the database is cached; this map overrides the
   * settings of some (`users: { ttl: '5m' }`) or opts them out
   * (`drafts: false`). Names must be repositories of the database.
   * Repositories a plugin owns (the audit outbox) are never cached.
   */
  readonly repositories?: Readonly<Record<string, RepositoryCacheOptions | boolean>>;
  /** In-process tier on/off (default on). */
  readonly local?: boolean;
  /** Shared tier on/off (default on). */
  readonly shared?: boolean;
  /** In-process tier bounds: entries (default 10,000) and size (bytes or '64MiB'; default 64 MiB). */
  readonly localMaxEntries?: number;
  readonly localMaxBytes?: number | string;
  /** Bound of the in-memory shared tier when there is no Redis (entries; default 100,000). */
  readonly memoryMaxEntries?: number;
  /**
   * Prefix of every Redis key and the bus channel (default 'chatcore'); letters, digits, ':', '.', '_', '-'.
   * Namespaces never share keys: `clear()` of 'app' leaves the keys of 'app:eu' alone.
   */
  readonly namespace?: string;
  /** Timeout of each Redis call (default 150 ms). */
  readonly redisTimeout?: number | string;
  /** Circuit breaker over Redis: consecutive failures that open it (default 5) and how long it stays open before a probe (default 1 s). */
  readonly breaker?: BreakerOptions;
  /** Bus heartbeat period (default 250 ms); the in-process tier stops serving after 3 missed heartbeats. */
  readonly heartbeat?: number | string;
  /**
   * Secret (32+ bytes, the same in every process of the namespace) that
   * authenticates shared-tier entries and bus messages (HMAC-SHA256): an
   * entry that anyone without it wrote, moved or edited in Redis is never
   * served. Without it entries only carry a checksum. E.g.
   * `new SecretValue(process.env.CACHE_KEY!)`.
   */
  readonly key?: CacheKeyInput;
}

/**
 * Settings of one cached repository after defaults.
 *
 * @example
 * ```ts
 * const s: ResolvedRepository = { ttlMs: 300_000, graceMs: 0, tenantScoped: false };
 * ```
 */
export interface ResolvedRepository {
  readonly ttlMs: number;
  readonly graceMs: number;
  readonly tenantScoped: boolean;
}

/**
 * Options after validation and defaults.
 *
 * @example
 * ```ts
 * const o: ResolvedOptions = resolveOptions({ ttl: '30s' });
 * ```
 */
export interface ResolvedOptions {
  readonly enabled: boolean;
  readonly namespace: string;
  readonly ttlMs: number;
  readonly graceMs: number;
  readonly maxTtlMs: number;
  readonly local: boolean;
  readonly shared: boolean;
  readonly localMaxEntries: number;
  readonly localMaxBytes: number;
  readonly memoryMaxEntries: number;
  /** Where Redis is; credentials stay inside SecretValues until the client is created. */
  readonly redis: { readonly url?: SecretValue<string> | undefined; readonly client?: SecretValue<RedisClientOptions> | undefined; readonly cluster?: readonly string[] | undefined } | undefined;
  readonly redisTimeoutMs: number;
  readonly breakerFailures: number;
  readonly halfOpenAfterMs: number;
  readonly heartbeatMs: number;
}

/** Allowed namespaces. */
// No "{" (every key starts with '<namespace>:{', see KeyNames, and hash tags decide cluster slots)
// and no glob characters (* ? [ ] \): clear() SCANs for '<namespace>:{*'.
export const NAMESPACE_RE = /^[A-Za-z0-9:._-]{1,100}$/;

// Core's option rules, with paths named as the user writes them: `cache.ttl`.
const positiveInt = (v: number | undefined, path: string) => integerOption(v, `cache.${path}`, { min: 1 });
const duration = (v: number | string | undefined, path: string, bounds?: OptionBounds) => durationOption(v, `cache.${path}`, bounds);
/** Options that set a timer: Node.js fires a longer one after 1 ms. */
const TIMER = { max: MAX_TIMER_MS };

/** node-redis options with the SecretValue members read. */
function revealClient(o: CacheRedisOptions): RedisClientOptions {
  const { password, url, ...rest } = o;
  return { ...rest, ...(password !== undefined ? { password: SecretValue.reveal(password) } : {}), ...(url !== undefined ? { url: SecretValue.reveal(url) } : {}) } as RedisClientOptions;
}

/**
 * Give `cache()` options (the caller's object, in place) and their `redis`
 * member a redacted printed form: `util.inspect`, `JSON.stringify` and
 * loggers then show `[redacted]` for the URL, the password and the key.
 * Reading the members is unchanged; a frozen object is left as it is.
 *
 * @example
 * ```ts
 * const o = concealOptions({ redisUrl: 'redis://:pw@cache:6379' });
 * JSON.stringify(o); // '{"redisUrl":"[redacted]"}'
 * ```
 */
export function concealOptions<O extends CacheOptions>(o: O): O {
  try {
    if (o.redis && typeof o.redis === 'object') SecretValue.conceal(o.redis, ['password', 'url']);
    SecretValue.conceal(o, ['redisUrl', 'key']);
  } catch {
    // frozen or sealed: nothing to add
  }
  return o;
}

const CACHE_OPTION_KEYS = optionKeys<CacheOptions>({
  enabled: true, redisUrl: true, redis: true, cluster: true, ttl: true, grace: true, maxTtl: true, repositories: true, local: true,
  shared: true, localMaxEntries: true, localMaxBytes: true, memoryMaxEntries: true, namespace: true, redisTimeout: true,
  breaker: true, heartbeat: true, key: true,
});
const REPOSITORY_OPTION_KEYS = optionKeys<RepositoryCacheOptions>({ ttl: true, grace: true, tenantScoped: true, enabled: true });

/** Per-repository settings: `true`, `false` or a map of known keys. */
function checkRepositoryEntry(entry: unknown, path: string): void {
  if (typeof entry !== 'boolean') checkOptionKeys(entry, path, REPOSITORY_OPTION_KEYS);
}

/**
 * Validate `cache()` options and fill in defaults; ConfigError names the bad option.
 *
 * @example
 * ```ts
 * resolveOptions({ ttl: '30s' }).ttlMs; // 30000
 * ```
 */
export function resolveOptions(o: CacheOptions): ResolvedOptions {
  checkOptionKeys(o, 'cache', CACHE_OPTION_KEYS);
  if (o.redis !== undefined && (o.redis === null || typeof o.redis !== 'object' || Array.isArray(o.redis))) {
    throw new ConfigError('cache: redis takes node-redis client options (a map, e.g. { socket: { host, port } }); for a URL use redisUrl.', { problems: [{ path: 'cache.redis', message: 'expected a map of client options; a URL goes in redisUrl' }] });
  }
  checkOptionKeys(o.repositories, 'cache.repositories', Object.keys(o.repositories ?? {}));
  for (const [name, entry] of Object.entries(o.repositories ?? {})) checkRepositoryEntry(entry, `cache.repositories.${name}`);
  const namespace = o.namespace ?? 'chatcore';
  if (typeof namespace !== 'string' || !NAMESPACE_RE.test(namespace)) {
    throw new ConfigError('cache: namespace must be 1-100 letters, digits, ":", ".", "_" or "-" (no braces: they would change cluster hash slots).', { problems: [{ path: 'namespace', message: 'invalid characters' }] });
  }
  const maxTtlMs = duration(o.maxTtl, 'maxTtl') ?? 3_600_000;
  const ttlMs = Math.min(duration(o.ttl, 'ttl') ?? 60_000, maxTtlMs);
  if (o.cluster !== undefined && (!Array.isArray(o.cluster) || o.cluster.some((u) => typeof u !== 'string'))) {
    throw new ConfigError('cache: cluster must be a list of redis:// urls.', { problems: [{ path: 'cluster', message: 'expected an array of strings' }] });
  }
  checkRedisUrl(o.redisUrl, 'redisUrl');
  if (o.redis && typeof o.redis === 'object') checkRedisUrl(o.redis.url, 'redis.url');
  o.cluster?.forEach((url, i) => checkRedisUrl(url, `cluster[${i}]`));
  const breaker = resolveBreakerOptions(o.breaker, 'cache.breaker', { failures: 5, halfOpenAfterMs: 1000 });
  const hasRedis = Boolean(o.redisUrl || o.redis || (o.cluster && o.cluster.length));
  return {
    enabled: o.enabled !== false,
    namespace,
    ttlMs,
    graceMs: duration(o.grace, 'grace') ?? 0,
    maxTtlMs,
    local: o.local !== false,
    shared: o.shared !== false,
    localMaxEntries: positiveInt(o.localMaxEntries, 'localMaxEntries') ?? 10_000,
    localMaxBytes: sizeOption(o.localMaxBytes, 'cache.localMaxBytes', { min: 1 }) ?? 64 * 1024 * 1024,
    memoryMaxEntries: positiveInt(o.memoryMaxEntries, 'memoryMaxEntries') ?? 100_000,
    redis: hasRedis ? { url: o.redisUrl ? new SecretValue(SecretValue.reveal(o.redisUrl)) : undefined, client: o.redis ? new SecretValue(revealClient(o.redis)) : undefined, cluster: o.cluster } : undefined,
    redisTimeoutMs: duration(o.redisTimeout, 'redisTimeout', TIMER) ?? 150,
    breakerFailures: breaker.failures,
    halfOpenAfterMs: breaker.halfOpenAfterMs,
    heartbeatMs: Math.max(20, duration(o.heartbeat, 'heartbeat', TIMER) ?? 250),
  };
}

/**
 * The settings of one repository, or undefined when it is not cached.
 * Cached unless opted out; plugin options win over the repository
 * definition's `plugins.cache` (each may say `false`, `true` or settings).
 *
 * @example
 * ```ts
 * repositorySettings(schema, options, resolved); // { ttlMs: 300000, graceMs: 0, tenantScoped: false }
 * ```
 */
export function repositorySettings(schema: RepositorySchema, options: CacheOptions, resolved: ResolvedOptions): ResolvedRepository | undefined {
  const fromPlugin = options.repositories?.[schema.name];
  const fromSchema = schema.plugins.cache as RepositoryCacheOptions | boolean | undefined;
  if (fromSchema !== undefined) checkRepositoryEntry(fromSchema, `${schema.name}.plugins.cache`);
  const pick = (v: RepositoryCacheOptions | boolean | undefined): RepositoryCacheOptions | undefined => (v === true ? {} : v === false || v === undefined ? undefined : v);
  const a = pick(fromPlugin);
  const b = pick(fromSchema);
  if (fromPlugin === false || a?.enabled === false || (a === undefined && (fromSchema === false || b?.enabled === false))) return undefined;
  const merged: RepositoryCacheOptions = { ...b, ...a };
  const path = `repositories.${schema.name}`;
  return {
    ttlMs: Math.min(duration(merged.ttl, `${path}.ttl`) ?? resolved.ttlMs, resolved.maxTtlMs),
    graceMs: duration(merged.grace, `${path}.grace`) ?? resolved.graceMs,
    tenantScoped: merged.tenantScoped === true,
  };
}
