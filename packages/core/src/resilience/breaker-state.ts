import type { ComponentHealth } from '../driver/driver.js';

/**
 * The state of a circuit breaker, as health reports and metrics show it:
 * `closed` (calls flow), `open` (calls fail fast), `half-open` (one probe
 * call decides), `isolated` (held open by an operator).
 *
 * @example
 * ```ts
 * const state: BreakerState = 'half-open';
 * breakerHealth('breaker', state).status; // 'degraded'
 * ```
 */
export type BreakerState = 'closed' | 'open' | 'half-open' | 'isolated';

/**
 * The health component of a breaker: up when closed, degraded while
 * half-open, down when open or isolated.
 *
 * @example
 * ```ts
 * const components: ComponentHealth[] = [{ name: 'primary', status: 'up', latencyMs: 0.8 }];
 * components.push(breakerHealth('breaker', 'open', { failures: 5 })); // status 'down', details.state 'open'
 * ```
 */
export function breakerHealth(name: string, state: BreakerState, details: Readonly<Record<string, unknown>> = {}): ComponentHealth {
  const status = state === 'closed' ? 'up' : state === 'half-open' ? 'degraded' : 'down';
  return { name, status, details: { state, ...details } };
}

/**
 * The overall status of a set of components: down when a `critical`
 * component is down, degraded when any other component is not up.
 *
 * @example
 * ```ts
 * const components: ComponentHealth[] = [{ name: 'primary', status: 'up' }, { name: 'replica 1', status: 'down' }];
 * overallStatus(components, ['primary']); // 'degraded': only a primary that is down makes it 'down'
 * ```
 */
export function overallStatus(components: readonly ComponentHealth[], critical: readonly string[]): 'up' | 'degraded' | 'down' {
  let status: 'up' | 'degraded' | 'down' = 'up';
  for (const c of components) {
    if (c.status === 'up') continue;
    if (c.status === 'down' && critical.includes(c.name)) return 'down';
    status = 'degraded';
  }
  return status;
}
