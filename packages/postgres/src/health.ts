import { breakerHealth, overallStatus } from '@chatcore/core/driver';
import { type ComponentHealth, type HealthReport } from '@chatcore/core';
import type { PoolTarget } from './pool-target.js';
import { explainTlsError } from './tls-options.js';

/**
 * Time one `select 1` on a server, bypassing its breaker (health reports the
 * truth even while the breaker is open) and bounded by `timeoutMs` (a
 * server that accepts TCP but never answers must not hang the report).
 * When the pool has no free connection and no room for one, the probe uses
 * a fresh connection outside the pool: a full pool is the pool's state
 * (degraded), not evidence that the server is down.
 *
 * @example
 * ```ts
 * const c = await probeServer(primary, 2000); // { name: 'primary', status: 'up', latencyMs: 0.8 }
 * ```
 */
export async function probeServer(target: PoolTarget, timeoutMs: number): Promise<ComponentHealth> {
  const started = performance.now();
  const { idle, total, max } = target.stats();
  const details = { breaker: target.breaker?.state ?? 'disabled' };
  if (idle === 0 && total >= max) {
    try {
      await target.checkServer(timeoutMs);
      return { name: target.name, status: 'up', latencyMs: performance.now() - started, details };
    } catch (err) {
      return { name: target.name, status: 'down', latencyMs: performance.now() - started, details, error: (err as Error).message.slice(0, 300) };
    }
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([target.pool.query('select 1'), timeout]);
    return { name: target.name, status: 'up', latencyMs: performance.now() - started, details };
  } catch (err) {
    const explained = explainTlsError(err) ?? (err instanceof Error ? err : new Error(String(err)));
    return { name: target.name, status: 'down', latencyMs: performance.now() - started, details, error: explained.message.slice(0, 300) };
  } finally {
    clearTimeout(timer);
  }
}

/** How long a call that gave up waiting for a free connection keeps the pool reported degraded. */
const POOL_TIMEOUT_MEMORY_MS = 10_000;

/**
 * The driver's health: the primary and each replica (status and latency of
 * a probe), the primary pool (total / idle / waiting connections and calls
 * that gave up waiting; degraded when more callers wait than the pool has
 * connections, or a call gave up waiting in the last 10 s), and the
 * primary's circuit breaker. Down when the primary is down; degraded when a
 * replica is down, the breaker is not closed or the pool is saturated.
 *
 * @example
 * ```ts
 * const report = await driverHealth(primary, replicas, 2000);
 * ```
 */
export async function driverHealth(primary: PoolTarget, replicas: readonly PoolTarget[], timeoutMs: number): Promise<HealthReport> {
  const servers = await Promise.all([primary, ...replicas].map((t) => probeServer(t, timeoutMs)));
  const stats = primary.stats();
  const pool: ComponentHealth = {
    name: 'pool',
    // A queue longer than the pool means callers wait more than one query's time for a connection;
    // a recent give-up means they waited longer than connectTimeout.
    status: stats.waiting > stats.max || (primary.poolTimeouts > 0 && Date.now() - primary.lastPoolTimeoutAt < POOL_TIMEOUT_MEMORY_MS) ? 'degraded' : 'up',
    details: stats,
  };
  const components: ComponentHealth[] = [...servers, pool];
  if (primary.breaker) {
    components.push(breakerHealth('breaker', primary.breaker.state, {
      threshold: primary.breaker.options.threshold,
      halfOpenAfterMs: primary.breaker.options.halfOpenAfterMs,
      timesOpened: primary.breaker.opened,
    }));
  }
  return { status: overallStatus(components, ['primary']), components };
}
