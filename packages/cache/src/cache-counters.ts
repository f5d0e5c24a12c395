import { EventEmitter } from 'node:events';
import type { CacheMetric, CacheMetricEvent, CacheStats, CacheTier, TierCounters } from './cache-stats.js';

const zero = (): TierCounters => ({ hits: 0, misses: 0, stale: 0, errors: 0, evictions: 0, bypasses: 0, fills: 0, rejected: 0 });

/**
 * The counters behind `stats()` and the `metric` events.
 *
 * @example
 * ```ts
 * const counters = new CacheCounters(); counters.add('users', 'local', 'hits');
 * ```
 */
export class CacheCounters {
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

  snapshot(state: Pick<CacheStats, 'breaker' | 'bus' | 'authenticated' | 'pendingInvalidations' | 'localEntries' | 'localBytes'>): CacheStats {
    const total = { local: zero(), shared: zero() };
    const repositories: Record<string, Record<CacheTier, TierCounters>> = {};
    for (const [name, r] of this.byRepo) {
      repositories[name] = { local: { ...r.local }, shared: { ...r.shared } };
      for (const tier of ['local', 'shared'] as const) for (const k of Object.keys(total[tier]) as CacheMetric[]) total[tier][k] += r[tier][k];
    }
    return { total, repositories, ...state };
  }
}
