import {
  BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, IsolatedCircuitError,
  type CircuitBreakerPolicy, type IBackoff, type IBackoffFactory, type IHalfOpenAfterBackoffContext,
} from 'cockatiel';
import { ConnectionError } from '@chatcore/core';
import { type BreakerState, type ResolvedBreakerOptions } from '@chatcore/core/driver';
import { connectionFailure, countsAgainstServer, isSessionLoss } from './retry-policy.js';

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/** While open, how often a fresh connection checks whether the server is back. */
const PROBE_INTERVAL_MS = 50;

/**
 * Opens a fresh connection to the server (outside the pool) and resolves
 * once it answered; rejects with the connection's error.
 *
 * @example
 * ```ts
 * const probe: ServerProbe = async () => {
 *   const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
 *   await client.connect();
 *   await client.end();
 * };
 * ```
 */
export type ServerProbe = () => Promise<void>;

/**
 * cockatiel's half-open delay, read on every call while the breaker is
 * open: the configured interval, or 0 once a probe found the server
 * accepting connections again (so the next call, or the probe's own
 * follow-up, closes the breaker without waiting out the interval).
 */
class ProbedHalfOpen implements IBackoffFactory<IHalfOpenAfterBackoffContext>, IBackoff<IHalfOpenAfterBackoffContext> {
  constructor(private readonly ms: number, private readonly reachable: () => boolean) {}
  get duration(): number {
    return this.reachable() ? 0 : this.ms;
  }
  next(): IBackoff<IHalfOpenAfterBackoffContext> {
    return this;
  }
}

/**
 * A circuit breaker over one server (the primary, or one replica), built on
 * cockatiel's. It counts only evidence that the server cannot be reached:
 * `failures` consecutive failures to open a new connection (refused,
 * reset, timed out, TLS) open it. A full pool, the caller's own timeout or
 * abort, and SQL errors are not evidence and never count. A lost session
 * (killed by pg_terminate_backend, a restart's shutdown, a reset socket) is
 * checked with one fresh connection, shared by every session lost at the
 * same time: if that connection fails, the event counts once; if it
 * succeeds, not at all.
 *
 * While open, calls fail at once with ConnectionError instead of waiting
 * for the connect timeout, and a fresh connection probes the server every
 * PROBE_INTERVAL_MS: the first that succeeds closes the breaker. After
 * `halfOpenAfter` a call is also let through as cockatiel's half-open test.
 *
 * @example
 * ```ts
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const probe = async () => { const c = await pool.connect(); c.release(); };
 * const breaker = new ConnectionBreaker('primary', resolveBreakerOptions({ failures: 3 }), probe);
 * const rows = await breaker.run(() => pool.query('select 1'));
 * ```
 */
export class ConnectionBreaker {
  private readonly policy: CircuitBreakerPolicy;
  /** Times the breaker opened, for health details. */
  opened = 0;
  private openedAt = 0;
  /** A failure was counted since the last success: calls go through cockatiel. */
  private counting = false;
  /** A probe found the server accepting connections since the breaker last opened. */
  private reachable = false;
  /** The fresh-connection check of lost sessions in progress, shared by every loss meanwhile. */
  private confirming: Promise<void> | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(readonly target: string, readonly options: ResolvedBreakerOptions, private readonly probe?: ServerProbe) {
    this.policy = circuitBreaker(handleWhen(countsAgainstServer), {
      halfOpenAfter: new ProbedHalfOpen(options.halfOpenAfterMs, () => this.reachable),
      breaker: new ConsecutiveBreaker(options.failures),
    });
    this.policy.onReset(() => { this.counting = false; });
    this.policy.onBreak(() => {
      this.opened++;
      this.openedAt = Date.now();
      this.reachable = false;
      this.scheduleProbe();
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
    if (state === CircuitState.Open) return !this.reachable && Date.now() - this.openedAt < this.options.halfOpenAfterMs;
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
    return this.execute(fn).then(
      (result) => {
        if (this.policy.state === CircuitState.Closed) this.counting = false;
        return result;
      },
      (err: unknown) => {
        if (isSessionLoss(err)) this.confirm();
        throw err;
      },
    );
  }

  /**
   * Whether a call may run directly, outside cockatiel: the breaker is
   * closed and no failure has been counted since the last success.
   */
  get direct(): boolean {
    return !this.counting && this.policy.state === CircuitState.Closed;
  }

  /**
   * The failure of a call that ran directly: a failure to connect is handed
   * to cockatiel (which counts it as if it had run the call, and may open
   * the breaker); a lost session starts the fresh-connection check; every
   * failure is rethrown, as a rejection.
   */
  failed<T>(err: unknown): Promise<T> {
    if (!countsAgainstServer(err)) {
      if (isSessionLoss(err)) this.confirm();
      return Promise.reject(err);
    }
    this.counting = true;
    return this.execute<T>(() => Promise.reject(err));
  }

  /**
   * Check lost sessions with one fresh connection: a burst that kills N
   * connections costs one check, and counts once, only if the server does
   * not accept a new connection either. Without a probe, losses never count.
   */
  private confirm(): void {
    if (!this.probe || this.confirming || this.disposed) return;
    this.confirming = this.probe().then(
      () => undefined,
      (err: unknown) => {
        if (this.disposed) return;
        this.counting = true;
        return this.execute(() => Promise.reject(connectionFailure(err, 'connect', this.target))).then(() => undefined, () => undefined);
      },
    ).finally(() => { this.confirming = undefined; });
  }

  /** While open, probe the server every PROBE_INTERVAL_MS with a fresh connection, one probe at a time. */
  private scheduleProbe(): void {
    if (!this.probe || this.probeTimer || this.disposed) return;
    this.probeTimer = setTimeout(() => {
      if (this.policy.state !== CircuitState.Open || this.disposed) {
        this.probeTimer = undefined;
        return;
      }
      void this.probe!().then(() => this.serverIsBack(), () => undefined).finally(() => {
        this.probeTimer = undefined;
        if (this.policy.state === CircuitState.Open) this.scheduleProbe();
      });
    }, PROBE_INTERVAL_MS);
    // A breaker left open must not keep the process alive.
    this.probeTimer.unref();
  }

  /** A probe connected: close the breaker through cockatiel's own half-open test, without waiting for a caller. */
  private serverIsBack(): Promise<void> {
    if (this.disposed || this.policy.state !== CircuitState.Open) return Promise.resolve();
    this.reachable = true;
    return this.policy.execute(() => Promise.resolve()).then(() => undefined, () => undefined);
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

  /** Stop probing (the driver is closing). */
  dispose(): void {
    this.disposed = true;
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
  }

  private openError(cause: Error): ConnectionError {
    const probing = this.probe ? `The server is probed with a fresh connection every ${PROBE_INTERVAL_MS} ms and the breaker closes as soon as one succeeds` : `A call is let through as a probe every ${this.options.halfOpenAfterMs} ms`;
    return new ConnectionError(
      `The circuit breaker for ${this.target} is open after ${this.options.failures} consecutive failures to connect, so the call failed fast without contacting the server (nothing was sent). ` +
        `${probing}; check that the database is up and reachable.`,
      { cause, info: { breaker: this.state, target: this.target, phase: 'connect' } },
    );
  }
}
