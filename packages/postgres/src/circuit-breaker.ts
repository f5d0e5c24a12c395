import {
  BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, IsolatedCircuitError,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { ConnectionError } from '@chatcore/core';
import { type BreakerState, type ResolvedBreakerOptions } from '@chatcore/core/driver';
import { countsAgainstServer } from './retry-policy.js';

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * A circuit breaker over one server (the primary, or one replica), built on
 * cockatiel's: `threshold` consecutive connection failures open it; while
 * open, calls fail at once with ConnectionError instead of waiting for the
 * connect timeout; after `halfOpenAfterMs` one call goes through as a probe,
 * and its success closes the breaker. SQL errors (constraint violations,
 * timeouts) are answers from a live server and do not count.
 *
 * @example
 * ```ts
 * const breaker = new ConnectionBreaker('primary', resolveBreakerOptions({ threshold: 3 }));
 * const pool = createPool(config);
 * const { rows } = await breaker.run(() => pool.query('select 1')); // ConnectionError at once while open
 * ```
 */
export class ConnectionBreaker {
  private readonly policy: CircuitBreakerPolicy;
  /** Times the breaker opened, for health details. */
  opened = 0;
  private openedAt = 0;
  /** A failure was counted since the last success: calls go through cockatiel. */
  private counting = false;

  constructor(readonly target: string, readonly options: ResolvedBreakerOptions) {
    this.policy = circuitBreaker(handleWhen(countsAgainstServer), {
      halfOpenAfter: options.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.threshold),
    });
    this.policy.onReset(() => { this.counting = false; });
    this.policy.onBreak(() => {
      this.opened++;
      this.openedAt = Date.now();
    });
  }

  /** The current state. */
  get state(): BreakerState {
    return STATES[this.policy.state];
  }

  /**
   * Whether a router should pass this server by: open and not yet due for a
   * probe, half-open with a probe in flight, or isolated. An open breaker
   * that is due lets the next call through as its probe.
   */
  get refusing(): boolean {
    const state = this.policy.state;
    if (state === CircuitState.Open) return Date.now() - this.openedAt < this.options.halfOpenAfterMs;
    return state === CircuitState.HalfOpen || state === CircuitState.Isolated;
  }

  /**
   * Run `fn` through the breaker; an open breaker raises ConnectionError.
   *
   * While the breaker is closed and no failure has been counted since the
   * last success, `fn` runs directly (the hot path pays one state check,
   * not cockatiel's promise frames); its failure is then handed to
   * cockatiel, which counts it exactly as if it had run the call. Once a
   * failure is counted, every call goes through cockatiel until a success
   * resets the count, so the state machine is cockatiel's throughout.
   */
  run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.direct) return fn().then(undefined, (err: unknown) => this.failed<T>(err));
    return this.execute(fn).then((result) => {
      if (this.policy.state === CircuitState.Closed) this.counting = false;
      return result;
    });
  }

  /**
   * Whether a call may run directly, outside cockatiel: the breaker is
   * closed and no failure has been counted since the last success.
   */
  get direct(): boolean {
    return !this.counting && this.policy.state === CircuitState.Closed;
  }

  /**
   * The failure of a call that ran directly: a connection failure is handed
   * to cockatiel (which counts it as if it had run the call, and may open
   * the breaker); every failure is rethrown, as a rejection.
   */
  failed<T>(err: unknown): Promise<T> {
    if (!countsAgainstServer(err)) return Promise.reject(err);
    this.counting = true;
    return this.execute<T>(() => Promise.reject(err));
  }

  private execute<T>(fn: () => Promise<T>): Promise<T> {
    return this.policy.execute(fn).catch((err: unknown) => {
      if (err instanceof BrokenCircuitError || err instanceof IsolatedCircuitError) throw this.openError(err);
      throw err;
    });
  }

  /** Hold the breaker open until the returned handle is disposed (maintenance). */
  isolate(): { dispose(): void } {
    return this.policy.isolate();
  }

  private openError(cause: Error): ConnectionError {
    return new ConnectionError(
      `The circuit breaker for ${this.target} is open after ${this.options.threshold} consecutive connection failures, so the call failed fast without contacting the server. ` +
        `A probe is let through every ${this.options.halfOpenAfterMs} ms; check that the database is up and reachable.`,
      { cause, info: { breaker: this.state, target: this.target, phase: 'connect' } },
    );
  }
}
