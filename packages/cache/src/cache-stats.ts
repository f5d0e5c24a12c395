import { EventEmitter } from 'node:events';

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
 * What a metric counts.
 *
 * @example
 * ```ts
 * const m: CacheMetric = 'hits';
 * ```
 */
export type CacheMetric = 'hits' | 'misses' | 'stale' | 'errors' | 'evictions' | 'bypasses' | 'fills';

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
 * A snapshot of the cache counters, per repository and tier, plus totals and
 * the state of the shared tier.
 *
 * @example
 * ```ts
 * const s = cachePlugin.stats(); console.log(s.total.local.hits, s.repositories.users?.shared.misses);
 * ```
 */
export interface CacheStatsSnapshot {
  readonly total: Readonly<Record<CacheTier, TierCounters>>;
  readonly repositories: Readonly<Record<string, Readonly<Record<CacheTier, TierCounters>>>>;
  /** Circuit breaker of the shared tier: closed (healthy), open (bypassed), halfOpen (probing), or none (in-memory tier). */
  readonly breaker: 'closed' | 'open' | 'halfOpen' | 'none';
  /** Invalidation bus: up, down (in-process tier bypassed), or none (no Redis). */
  readonly bus: 'up' | 'down' | 'none';
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
 * cachePlugin.events.on('metric', (e: CacheMetricEvent) => counter.inc({ repo: e.repository, tier: e.tier, kind: e.metric }, e.count));
 * ```
 */
export interface CacheMetricEvent {
  readonly metric: CacheMetric;
  readonly tier: CacheTier;
  readonly repository: string;
  readonly count: number;
  /** For errors and bypasses: why (e.g. 'timeout', 'breaker-open', 'bus-down', 'transaction', 'call-option'). */
  readonly reason?: string;
}

const zero = (): TierCounters => ({ hits: 0, misses: 0, stale: 0, errors: 0, evictions: 0, bypasses: 0, fills: 0 });

/**
 * The counters behind `stats()` and the `metric` events.
 *
 * @example
 * ```ts
 * const stats = new CacheStats(); stats.add('users', 'local', 'hits');
 * ```
 */
export class CacheStats {
  readonly events = new EventEmitter();
  private readonly byRepo = new Map<string, Record<CacheTier, TierCounters>>();

  constructor() {
    // A metrics consumer that throws must not turn into an unhandled 'error' event.
    this.events.on('error', () => undefined);
  }

  add(repository: string, tier: CacheTier, metric: CacheMetric, count = 1, reason?: string): void {
    let r = this.byRepo.get(repository);
    if (!r) this.byRepo.set(repository, (r = { local: zero(), shared: zero() }));
    r[tier][metric] += count;
    if (this.events.listenerCount('metric') > 0) {
      const event: CacheMetricEvent = reason === undefined ? { metric, tier, repository, count } : { metric, tier, repository, count, reason };
      try {
        this.events.emit('metric', event);
      } catch {
        // A failing listener must not fail the read it observes.
      }
    }
  }

  snapshot(state: Pick<CacheStatsSnapshot, 'breaker' | 'bus' | 'pendingInvalidations' | 'localEntries' | 'localBytes'>): CacheStatsSnapshot {
    const total = { local: zero(), shared: zero() };
    const repositories: Record<string, Record<CacheTier, TierCounters>> = {};
    for (const [name, r] of this.byRepo) {
      repositories[name] = { local: { ...r.local }, shared: { ...r.shared } };
      for (const tier of ['local', 'shared'] as const) for (const k of Object.keys(total[tier]) as CacheMetric[]) total[tier][k] += r[tier][k];
    }
    return { total, repositories, ...state };
  }
}
