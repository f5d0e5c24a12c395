import type { HealthReport } from '@chatcore/core';
import type { Plugin, PluginHost } from '@chatcore/core/plugin';
import type { Counter, Gauge } from 'prom-client';
import { CachedRead, within } from './cached-read.js';
import { CACHE_COUNTERS, readAudit, readCache, readEncryption } from './plugin-stats.js';
import type { RegisteredMetrics } from './prom-metrics.js';

/** How long a scrape waits for the driver's health before leaving its metrics out. */
const DRIVER_HEALTH_TIMEOUT_MS = 2000;
/** One driver health check serves every metric family of a scrape. */
const DRIVER_HEALTH_TTL_MS = 500;

const STATUS = { up: 0, degraded: 1, down: 2 } as const;
/** Breaker state as a number: 0 closed, 1 half-open, 2 open (an operator-held `isolated` breaker is open too). */
const BREAKER: Readonly<Record<string, number>> = { closed: 0, 'half-open': 1, halfOpen: 1, open: 2, isolated: 2 };
const POOL_FIELDS = [
  ['total', 'pool_connections', 'Connections the pool holds (busy and idle), by health component.'],
  ['idle', 'pool_idle_connections', 'Idle connections in the pool, by health component.'],
  ['waiting', 'pool_waiting_requests', 'Callers waiting for a connection, by health component.'],
  ['max', 'pool_max_connections', 'The pool\'s maximum size, by health component.'],
] as const;

/**
 * The metrics read from the rest of the stack at scrape time (prom-client
 * collect callbacks), never on the hot path: the driver's health (component
 * status, pool, breakers) and the cache, audit and encryption plugins'
 * `stats()`. Before connect, and for parts the stack lacks, they stay empty.
 * The counters are rebuilt from the plugins' cumulative readings at each
 * scrape (reset, then set), so they never drift from `stats()`.
 */
export function registerStackMetrics(metrics: RegisteredMetrics, hostOf: () => PluginHost | undefined): void {
  const health = new CachedRead<HealthReport | undefined>(async () => {
    const host = hostOf();
    if (!host) return undefined;
    return within(host.driver.health().catch(() => undefined), DRIVER_HEALTH_TIMEOUT_MS, () => undefined);
  }, DRIVER_HEALTH_TTL_MS);
  const components = async () => (await health.get())?.components ?? [];
  const plugins = (): readonly Plugin[] => hostOf()?.plugins ?? [];

  metrics.gauge('health_status', 'Driver health by component: 0 up, 1 degraded, 2 down.', ['component'], async function (this: Gauge<string>) {
    this.reset();
    for (const c of await components()) this.set({ component: c.name }, STATUS[c.status]);
  });
  for (const [field, name, help] of POOL_FIELDS) {
    metrics.gauge(name, help, ['component'], async function (this: Gauge<string>) {
      this.reset();
      for (const c of await components()) {
        const v = c.details?.[field];
        if (typeof v === 'number' && Number.isFinite(v)) this.set({ component: c.name }, v);
      }
    });
  }
  metrics.gauge('breaker_state', 'Circuit breaker of each server: 0 closed, 1 half-open, 2 open.', ['server'], async function (this: Gauge<string>) {
    this.reset();
    for (const c of await components()) {
      const state = c.details?.breaker;
      if (typeof state === 'string' && state in BREAKER) this.set({ server: c.name }, BREAKER[state]!);
    }
  });

  const cacheCounter = (metric: (typeof CACHE_COUNTERS)[number], help: string) =>
    metrics.counter(`cache_${metric}_total`, help, ['repository', 'tier'], function (this: Counter<string>) {
      this.reset();
      for (const p of plugins()) for (const t of readCache(p)?.tiers ?? []) this.inc({ repository: t.repository, tier: t.tier }, t[metric]);
    });
  cacheCounter('hits', 'Cache hits by repository and tier (local: in-process, shared: Redis).');
  cacheCounter('misses', 'Cache misses by repository and tier.');
  cacheCounter('errors', 'Cache errors (timeouts, Redis failures; the read went to the database) by repository and tier.');
  cacheCounter('bypasses', 'Cache reads that skipped a tier and went to the database (Redis unavailable, invalidation bus down, cache: false, transactions), by repository and tier.');
  cacheCounter('stale', 'Expired entries served within the grace period while a background read refreshes them, by repository and tier.');
  cacheCounter('evictions', 'Entries evicted from the in-process tier to stay within its size limits, by repository and tier.');
  metrics.optionalGauge('cache_pending_invalidations', 'Invalidations waiting for Redis to come back (the invalidation backlog).', () => {
    let total: number | undefined;
    for (const p of plugins()) {
      const n = readCache(p)?.pendingInvalidations;
      if (n !== undefined) total = (total ?? 0) + n;
    }
    return total;
  });

  metrics.gauge('audit_queue_depth', 'Audit events accepted and not yet handed to the sinks, by plugin.', ['plugin'], function (this: Gauge<string>) {
    this.reset();
    for (const p of plugins()) {
      const a = readAudit(p);
      if (a) this.set({ plugin: p.name }, a.queued);
    }
  });
  const auditCounter = (metric: 'dropped' | 'flushed', help: string) =>
    metrics.counter(`audit_events_${metric}_total`, help, ['plugin'], function (this: Counter<string>) {
      this.reset();
      for (const p of plugins()) {
        const a = readAudit(p);
        if (a) this.inc({ plugin: p.name }, a[metric]);
      }
    });
  auditCounter('dropped', 'Audit events dropped because the queue was full (overflow: drop), by plugin.');
  auditCounter('flushed', 'Audit events sealed into the chain and handed to the sinks, by plugin.');

  metrics.counter('encryption_operations_total', 'Encryption plugin work by operation (seal, open, blind_index).', ['plugin', 'operation'], function (this: Counter<string>) {
    this.reset();
    for (const p of plugins()) for (const o of readEncryption(p)?.operations ?? []) this.inc({ plugin: p.name, operation: o.operation }, o.count);
  });
  metrics.counter('encryption_integrity_failures_total', 'Values that failed to decrypt or verify (tampered, copied or wrong key), by plugin.', ['plugin'], function (this: Counter<string>) {
    this.reset();
    for (const p of plugins()) {
      const n = readEncryption(p)?.integrityFailures;
      if (n !== undefined) this.inc({ plugin: p.name }, n);
    }
  });
}
