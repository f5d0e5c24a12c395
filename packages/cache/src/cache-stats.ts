/**
 * The two tiers: in-process and shared (Redis or in-memory keyv).
 *
 * @example
 * ```ts
 * const tier: CacheTier = 'local';
 * ```
 */
export type CacheTier = 'local' | 'shared';

/**
 * What a metric counts. `rejected`: shared-tier entries refused as forged,
 * moved, rolled back or not an answer to their read (each also reported as
 * an `integrity_failure` security event).
 *
 * @example
 * ```ts
 * const m: CacheMetric = 'hits';
 * ```
 */
export type CacheMetric = 'hits' | 'misses' | 'stale' | 'errors' | 'evictions' | 'bypasses' | 'fills' | 'rejected';

/**
 * Counters of one tier of one repository.
 *
 * @example
 * ```ts
 * const c: TierCounters = cachePlugin.stats().total.local;
 * ```
 */
export type TierCounters = Record<CacheMetric, number>;

/**
 * What `cachePlugin.stats()` returns: a snapshot of the counters per
 * repository and tier, their totals, and the state of the shared tier and
 * the bus. A plain object, new on every call (JSON.stringify gives all of it).
 *
 * @example
 * ```ts
 * const s: CacheStats = cachePlugin.stats(); console.log(s.total.local.hits, s.repositories.users?.shared.misses);
 * ```
 */
export interface CacheStats {
  readonly total: Readonly<Record<CacheTier, TierCounters>>;
  readonly repositories: Readonly<Record<string, Readonly<Record<CacheTier, TierCounters>>>>;
  /** Circuit breaker of the shared tier: closed (healthy), open (bypassed), halfOpen (probing), or none (in-memory tier). */
  readonly breaker: 'closed' | 'open' | 'halfOpen' | 'none';
  /** Invalidation bus: up, down (in-process tier bypassed; also for 300 ms after Redis returns), or none (no Redis). */
  readonly bus: 'up' | 'down' | 'none';
  /** Whether shared-tier entries and bus messages are authenticated with a configured key (`cache({ key })`). */
  readonly authenticated: boolean;
  /** Invalidations waiting for Redis to come back. */
  readonly pendingInvalidations: number;
  readonly localEntries: number;
  readonly localBytes: number;
}

/**
 * One metric event, as the `metric` event of `cachePlugin.events` carries it
 * (for a metrics plugin). Labels are repository and tier names only.
 *
 * @example
 * ```ts
 * const counts = new Map<string, number>();
 * cachePlugin.events.on('metric', (e: CacheMetricEvent) => {
 *   const k = `${e.repository}/${e.tier}/${e.metric}`;
 *   counts.set(k, (counts.get(k) ?? 0) + e.count);
 * });
 * ```
 */
export interface CacheMetricEvent {
  readonly metric: CacheMetric;
  readonly tier: CacheTier;
  readonly repository: string;
  readonly count: number;
  /** For errors, bypasses and rejections: why (e.g. 'timeout', 'bus-down', 'transaction', 'call-option', 'join', 'mac', 'id', 'filter', 'rollback'). */
  readonly reason?: string;
}

/**
 * The former name of CacheStats.
 *
 * @deprecated Use CacheStats.
 * @example
 * ```ts
 * const s: CacheStats = cachePlugin.stats();
 * ```
 */
export type CacheStatsSnapshot = CacheStats;
