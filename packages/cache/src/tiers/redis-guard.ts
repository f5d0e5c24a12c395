import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import { TimeoutError } from '@chatcore/core';

/**
 * Every Redis call of the cache goes through this guard: a short timeout
 * (the caller is released even if the command never answers) inside a
 * cockatiel circuit breaker that opens after consecutive failures, so that a
 * Redis outage costs the caller nothing but a fast bypass. The timeout is a
 * plain timer race: cockatiel's timeout policy allocates an AbortController
 * and a DOMException per call, which cost more than the Redis round trip.
 *
 * @example
 * ```ts
 * const guard = new RedisGuard({ timeoutMs: 150, failures: 5, halfOpenAfterMs: 1000 });
 * const value = await guard.run(() => client.get(key));
 * ```
 */
export class RedisGuard {
  private readonly breaker;
  private readonly timeoutMs: number;
  private readonly listeners: Array<(state: 'closed' | 'open' | 'halfOpen') => void> = [];

  constructor(options: { timeoutMs: number; failures: number; halfOpenAfterMs: number }) {
    this.breaker = circuitBreaker(handleAll, { halfOpenAfter: options.halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.failures) });
    this.timeoutMs = options.timeoutMs;
    this.breaker.onStateChange((s) => {
      const state = s === CircuitState.Closed ? 'closed' : s === CircuitState.HalfOpen ? 'halfOpen' : 'open';
      for (const l of this.listeners) l(state);
    });
  }

  /** Run one Redis call under the timeout and the breaker; rejects fast while the breaker is open. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.breaker.execute(() => this.withTimeout(fn));
  }

  /**
   * Run one call under the timeout only, whatever the breaker's state: for
   * background work that must reach Redis the moment it is back (replaying
   * invalidations), not a probe period later. Its outcome does not move the breaker.
   */
  runDirect<T>(fn: () => Promise<T>): Promise<T> {
    return this.withTimeout(fn);
  }

  private withTimeout<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TimeoutError(`Redis did not answer within ${this.timeoutMs} ms; the cache passes reads to the database meanwhile.`)), this.timeoutMs);
      fn().then(
        (v) => { clearTimeout(timer); resolve(v); },
        (e) => { clearTimeout(timer); reject(e); },
      );
    });
  }

  /** True while calls are refused without trying (breaker open or isolated). */
  get isOpen(): boolean {
    const s = this.breaker.state;
    return s === CircuitState.Open || s === CircuitState.Isolated;
  }

  get state(): 'closed' | 'open' | 'halfOpen' {
    const s = this.breaker.state;
    return s === CircuitState.Closed ? 'closed' : s === CircuitState.HalfOpen ? 'halfOpen' : 'open';
  }

  onStateChange(listener: (state: 'closed' | 'open' | 'halfOpen') => void): void {
    this.listeners.push(listener);
  }
}
