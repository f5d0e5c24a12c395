import { CircuitState, ConsecutiveBreaker, TimeoutStrategy, circuitBreaker, handleAll, timeout, wrap, type IPolicy } from 'cockatiel';

/**
 * Every Redis call of the cache goes through this guard: a short timeout
 * (aggressive: the caller is released even if the command never answers)
 * inside a circuit breaker that opens after consecutive failures, so that a
 * Redis outage costs the caller nothing but a fast bypass.
 *
 * @example
 * ```ts
 * const guard = new RedisGuard({ timeoutMs: 150, failures: 5, halfOpenAfterMs: 1000 });
 * const value = await guard.run(() => client.get(key));
 * ```
 */
export class RedisGuard {
  private readonly policy: IPolicy;
  private readonly breaker;
  private readonly listeners: Array<(state: 'closed' | 'open' | 'halfOpen') => void> = [];

  constructor(options: { timeoutMs: number; failures: number; halfOpenAfterMs: number }) {
    this.breaker = circuitBreaker(handleAll, { halfOpenAfter: options.halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.failures) });
    this.policy = wrap(this.breaker, timeout(options.timeoutMs, TimeoutStrategy.Aggressive));
    this.breaker.onStateChange((s) => {
      const state = s === CircuitState.Closed ? 'closed' : s === CircuitState.HalfOpen ? 'halfOpen' : 'open';
      for (const l of this.listeners) l(state);
    });
  }

  /** Run one Redis call under the timeout and the breaker; rejects fast while the breaker is open. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.policy.execute(fn) as Promise<T>;
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
