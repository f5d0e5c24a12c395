import { breakerHealth, overallStatus } from '@chatcore/core/driver';
import { type ComponentHealth, type HealthReport } from '@chatcore/core';
import type { PoolTarget } from './pool-target.js';
import { explainTlsError } from './tls-options.js';

/** How long a health probe waits for a pooled connection before asking the server over a fresh one. */
const POOL_GRACE_MS = 200;

/** Whether `work` settles within `ms`: 'done', or 'late' (its rejection is rethrown). */
function within(work: Promise<unknown>, ms: number): Promise<'done' | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), Math.max(0, ms)); });
  return Promise.race([work.then(() => 'done' as const), late]).finally(() => clearTimeout(timer));
}

/**
 * Time one `select 1` on a server, bypassing its breaker (health reports the
 * truth even while the breaker is open) and bounded by `timeoutMs` (a
 * server that accepts TCP but never answers must not hang the report).
 * The probe uses a pooled connection; when none comes within 200 ms and
 * the pool has no room, it asks the server over a fresh connection
 * instead: a full pool is the pool's state (degraded), not evidence that
 * the server is down.
 *
 * @example
 * ```ts
 * const c = await probeServer(primary, 2000); // { name: 'primary', status: 'up', latencyMs: 0.8 }
 * ```
 */
export async function probeServer(target: PoolTarget, timeoutMs: number): Promise<ComponentHealth> {
  const started = performance.now();
  const details = { breaker: target.breaker?.state ?? 'disabled' };
  const left = () => timeoutMs - (performance.now() - started);
  // A probe still queued when the report is done answers later, or fails with the pool wait: ignored.
  const pooled = target.ping();
  pooled.catch(() => undefined);
  try {
    if ((await within(pooled, Math.min(POOL_GRACE_MS, timeoutMs))) === 'late') {
      const { idle, total, max } = target.stats();
      if (idle === 0 && total >= max) await target.checkServer(left());
      else if ((await within(pooled, left())) === 'late') throw new Error(`no answer within ${timeoutMs} ms`);
    }
    return { name: target.name, status: 'up', latencyMs: performance.now() - started, details };
  } catch (err) {
    const explained = explainTlsError(err) ?? (err instanceof Error ? err : new Error(String(err)));
    return { name: target.name, status: 'down', latencyMs: performance.now() - started, details, error: explained.message.slice(0, 300) };
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
      failures: primary.breaker.options.failures,
      halfOpenAfterMs: primary.breaker.options.halfOpenAfterMs,
      timesOpened: primary.breaker.opened,
    }));
  }
  return { status: overallStatus(components, ['primary']), components };
}
