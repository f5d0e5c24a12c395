import {
  BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, IsolatedCircuitError,
  type CircuitBreakerPolicy, type IBackoff, type IBackoffFactory, type IHalfOpenAfterBackoffContext,
} from 'cockatiel';
import type { BreakerState } from './breaker-state.js';
import type { ResolvedBreakerOptions } from './resilience-options.js';

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * What a driver tells its ProbedBreaker: which failures are evidence
 * against the backend, how to ask the backend whether it answers (outside
 * the breaker), and the errors to raise.
 *
 * @example
 * ```ts
 * const settings: ProbedBreakerSettings = {
 *   options: resolveBreakerOptions({ failures: 3 }),
 *   counts: (error) => error instanceof ConnectionError,
 *   isSessionLoss: () => false,
 *   probe: async () => undefined,
 *   probeEveryMs: 50,
 *   lossEvidence: (error) => new ConnectionError('the backend did not answer a probe', { cause: error }),
 *   openError: (cause) => new ConnectionError('the breaker is open; nothing was sent', { cause }),
 * };
 * ```
 */
export interface ProbedBreakerSettings {
  readonly options: ResolvedBreakerOptions;
  /** Whether a failure is evidence that the backend cannot be reached (only these count). */
  readonly counts: (error: unknown) => boolean;
  /** Whether a failure lost a connection that may have been killed on a live backend: checked with one probe. */
  readonly isSessionLoss: (error: unknown) => boolean;
  /** One cheap request outside the breaker, without retries; resolves once the backend answered. Without it, lost connections never count and an open breaker waits for `halfOpenAfter`. */
  readonly probe?: (() => Promise<unknown>) | undefined;
  /** While open, how often a probe starts. */
  readonly probeEveryMs: number;
  /** Probes in flight at most (default 1): a probe hung on a frozen backend need not delay the next. */
  readonly maxProbes?: number | undefined;
  /** What a failed loss probe counts as (the error handed to the breaker's count). */
  readonly lossEvidence: (error: unknown) => unknown;
  /** The error a call gets while the breaker refuses it (it was not sent). */
  readonly openError: (cause: Error, breaker: ProbedBreaker) => Error;
}

/**
 * cockatiel's half-open delay, read on every call while the breaker is
 * open: the configured interval, or 0 once a probe got an answer (so the
 * next call, or the probe's own follow-up, closes the breaker at once).
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

/** A failure carried through cockatiel without being counted (cockatiel counts what its filter accepts). */
class Uncounted extends Error {
  constructor(readonly inner: unknown) {
    super('uncounted');
  }
}

const unwrap = (error: unknown): unknown => (error instanceof Uncounted ? error.inner : error);

/**
 * A circuit breaker over one backend, for driver authors, built on
 * cockatiel's. It counts only what `counts` calls evidence that the backend
 * cannot be reached; a connection lost with calls on it (`isSessionLoss`)
 * is checked with one probe, shared by every loss meanwhile, and counts
 * once if the probe fails, not at all otherwise. After `failures`
 * consecutive counted failures it opens: calls fail at once with
 * `openError` (nothing sent). While open, a probe starts every
 * `probeEveryMs` and the first answer closes it; after `halfOpenAfter` a
 * call is also let through as cockatiel's half-open test (other calls keep
 * failing fast meanwhile, and a probe's answer ends the test as a success).
 *
 * While closed with nothing counted, calls run directly: the hot path pays
 * one state check, not cockatiel's promise frames, and a failure is handed
 * to cockatiel afterwards, which counts it as if it had run the call.
 *
 * @example
 * ```ts
 * const breaker = new ProbedBreaker({
 *   options: resolveBreakerOptions({ failures: 3 }),
 *   counts: (error) => error instanceof ConnectionError,
 *   isSessionLoss: () => false,
 *   probe: () => fetch('http://127.0.0.1:9000/ping').then(() => undefined),
 *   probeEveryMs: 100,
 *   lossEvidence: (error) => error,
 *   openError: (cause, b) => new ConnectionError(`The breaker is open after ${b.options.failures} failures; nothing was sent.`, { cause }),
 * });
 * const answer = await breaker.run(() => Promise.resolve(42));
 * ```
 */
export class ProbedBreaker {
  readonly options: ResolvedBreakerOptions;
  private readonly policy: CircuitBreakerPolicy;
  /** Times the breaker opened, for health details. */
  opened = 0;
  /** The failure that opened the breaker last, for health details. */
  reason: string | undefined;
  private openedAt = 0;
  /** A failure was counted since the last success: calls go through cockatiel. */
  private counting = false;
  /** A probe got an answer since the breaker last opened. */
  private reachable = false;
  /** The probe checking lost connections, shared by every loss meanwhile. */
  private confirming: Promise<void> | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = 0;
  /** While a caller's call is cockatiel's half-open test: resolved by a probe's answer. */
  private halfOpenDecided: { promise: Promise<never>; resolve(): void } | undefined;
  private disposed = false;

  constructor(private readonly settings: ProbedBreakerSettings) {
    this.options = settings.options;
    this.policy = circuitBreaker(handleWhen(settings.counts), {
      halfOpenAfter: new ProbedHalfOpen(settings.options.halfOpenAfterMs, () => this.reachable),
      breaker: new ConsecutiveBreaker(settings.options.failures),
    });
    this.policy.onReset(() => {
      this.counting = false;
      this.halfOpenDecided = undefined;
    });
    this.policy.onHalfOpen(() => {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => { resolve = r; });
      this.halfOpenDecided = { promise: promise as Promise<never>, resolve };
    });
    this.policy.onBreak((reason) => {
      this.opened++;
      this.openedAt = Date.now();
      this.reachable = false;
      this.reason = 'error' in reason ? reason.error.message.slice(0, 300) : 'isolated';
      this.halfOpenDecided = undefined;
      this.scheduleProbe();
    });
  }

  /** The current state. */
  get state(): BreakerState {
    return STATES[this.policy.state];
  }

  /** Milliseconds since the breaker last opened (0 when it never did). */
  get openForMs(): number {
    return this.openedAt ? Date.now() - this.openedAt : 0;
  }

  /**
   * Whether a router should pass this backend by: open and not yet due for
   * a half-open test, half-open, or isolated.
   */
  get refusing(): boolean {
    const state = this.policy.state;
    if (state === CircuitState.Open) return !this.reachable && Date.now() - this.openedAt < this.options.halfOpenAfterMs;
    return state === CircuitState.HalfOpen || state === CircuitState.Isolated;
  }

  /** Whether a call may run directly, outside cockatiel: closed, and nothing counted since the last success. */
  get direct(): boolean {
    return !this.counting && this.policy.state === CircuitState.Closed;
  }

  /**
   * Run `fn` through the breaker; a breaker that refuses raises `openError`
   * without calling it. `ignore`: failures of this call that do not count
   * (e.g. a timeout that was the caller's own deadline).
   */
  run<T>(fn: () => Promise<T>, ignore?: (error: unknown) => boolean): Promise<T> {
    const state = this.policy.state;
    if (!this.counting && state === CircuitState.Closed) return fn().then(undefined, (error: unknown) => this.failed<T>(error, ignore));
    // cockatiel queues calls behind a half-open test; ours fail fast until it is decided.
    if (state === CircuitState.HalfOpen) return Promise.reject(this.settings.openError(new BrokenCircuitError(), this));
    let call: Promise<T> | undefined;
    return this.execute(() => {
      call = fn();
      const outcome = call.catch((error: unknown) => {
        throw this.counts(error, ignore) ? error : new Uncounted(error);
      });
      // A call that is cockatiel's half-open test may hang on a backend that is
      // only starting; a probe's answer decides the test first.
      return this.halfOpenDecided ? Promise.race([outcome, this.halfOpenDecided.promise]) : outcome;
    }).then(
      () => {
        if (this.policy.state === CircuitState.Closed) this.counting = false;
        return call!;
      },
      (error: unknown) => {
        const inner = unwrap(error);
        if (this.settings.isSessionLoss(inner)) this.confirm();
        throw inner;
      },
    );
  }

  /**
   * The failure of a call that ran directly (see `direct`): evidence is
   * handed to cockatiel, which counts it and may open the breaker; a lost
   * connection starts the probe check; the failure is always rethrown.
   */
  failed<T>(error: unknown, ignore?: (error: unknown) => boolean): Promise<T> {
    if (!this.counts(error, ignore)) {
      if (this.settings.isSessionLoss(error)) this.confirm();
      return Promise.reject(error);
    }
    // Opened while this call ran: it reached the backend, so its own error tells the caller more than "open".
    if (this.policy.state !== CircuitState.Closed) return Promise.reject(error);
    this.counting = true;
    return this.execute<T>(() => Promise.reject(error));
  }

  private counts(error: unknown, ignore: ((error: unknown) => boolean) | undefined): boolean {
    return this.settings.counts(error) && !ignore?.(error);
  }

  /** Check lost connections with one probe: a burst of N losses counts at most once. */
  private confirm(): void {
    const probe = this.settings.probe;
    if (!probe || this.confirming || this.disposed) return;
    this.confirming = probe().then(
      () => undefined,
      (error: unknown) => {
        if (this.disposed) return;
        this.counting = true;
        const evidence = this.settings.lossEvidence(error);
        return this.execute(() => Promise.reject(evidence)).then(() => undefined, () => undefined);
      },
    ).finally(() => {
      this.confirming = undefined;
    });
  }

  /** While open or half-open, start a probe every `probeEveryMs`, at most `maxProbes` in flight. */
  private scheduleProbe(): void {
    const probe = this.settings.probe;
    if (!probe || this.probeTimer || this.disposed) return;
    const max = this.settings.maxProbes ?? 1;
    this.probeTimer = setInterval(() => {
      const state = this.policy.state;
      if ((state !== CircuitState.Open && state !== CircuitState.HalfOpen) || this.disposed) {
        clearInterval(this.probeTimer);
        this.probeTimer = undefined;
        return;
      }
      if (this.probing >= max) return;
      this.probing++;
      void probe().then(() => this.backendIsBack(), () => undefined).finally(() => { this.probing--; });
    }, this.settings.probeEveryMs);
    // A breaker left open must not keep the process alive.
    this.probeTimer.unref();
  }

  /** A probe got an answer: close the breaker through cockatiel's half-open test, without waiting for a caller. */
  private backendIsBack(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (this.policy.state === CircuitState.HalfOpen) {
      this.halfOpenDecided?.resolve();
      return Promise.resolve();
    }
    if (this.policy.state !== CircuitState.Open) return Promise.resolve();
    this.reachable = true;
    return this.policy.execute(() => Promise.resolve()).then(() => undefined, () => undefined);
  }

  private execute<T>(fn: () => Promise<T>): Promise<T> {
    return this.policy.execute(fn).catch((error: unknown) => {
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) throw this.settings.openError(error, this);
      throw error;
    });
  }

  /** Hold the breaker open until the returned handle is disposed (maintenance). */
  isolate(): { dispose(): void } {
    return this.policy.isolate();
  }

  /** Stop probing (the driver is closing). */
  dispose(): void {
    this.disposed = true;
    clearInterval(this.probeTimer);
    this.probeTimer = undefined;
  }
}
