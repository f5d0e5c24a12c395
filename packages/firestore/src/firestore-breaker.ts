import {
  BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, IsolatedCircuitError,
  type CircuitBreakerPolicy, type IBackoff, type IBackoffFactory, type IHalfOpenAfterBackoffContext,
} from 'cockatiel';
import { ConnectionError, TimeoutError } from '@chatcore/core';
import type { BreakerState, ResolvedBreakerOptions } from '@chatcore/core/driver';
import { countsAgainstBackend, isSessionLoss } from './failure-evidence.js';

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/** While open, how often a request checks whether Firestore answers again. */
const PROBE_INTERVAL_MS = 100;
/** Probes in flight at most (each waits at most its own timeout). */
const MAX_PROBES = 4;

/**
 * Sends one cheap request to Firestore, outside the breaker and without
 * retries, and resolves once Firestore answered.
 *
 * @example
 * ```ts
 * const probe: BackendProbe = () => withCallScope({ timeoutMs: 1000, retries: 0 }, () => client.doc('chatcore_health/ping').get());
 * ```
 */
export type BackendProbe = () => Promise<unknown>;

/** cockatiel's half-open delay: the configured one, or 0 once a probe got an answer. */
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
 * The circuit breaker over Firestore, built on cockatiel's. It counts only
 * evidence that Firestore cannot be reached (`countsAgainstBackend`): a
 * request that found no connection, and a request that got no answer
 * within callTimeout. Answers from a live backend (NOT_FOUND,
 * ALREADY_EXISTS, ABORTED contention, quota, credentials), validation
 * errors and the caller's own timeout or abort never count. A connection
 * dropped with requests on it is checked with one probe, shared by every
 * loss meanwhile: it counts once if the probe fails, not at all otherwise.
 *
 * After `failures` consecutive counted failures it opens: calls fail at
 * once with ConnectionError (`info.breaker: 'open'`, nothing sent). While
 * open, a probe asks Firestore every PROBE_INTERVAL_MS and the first
 * answer closes it; after `halfOpenAfter` a call is also let through as
 * cockatiel's half-open test (other calls keep failing fast meanwhile, and
 * a probe's answer ends the test as a success without waiting for it).
 *
 * @example
 * ```ts
 * const breaker = new FirestoreBreaker(resolveBreakerOptions({ failures: 3 }), probe);
 * const rows = await breaker.run(() => driverCall());
 * ```
 */
export class FirestoreBreaker {
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
  private confirming: Promise<void> | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = 0;
  /** While a caller's call is cockatiel's half-open test: resolved by a probe's answer. */
  private halfOpenDecided: { promise: Promise<never>; resolve(): void } | undefined;
  private disposed = false;

  constructor(readonly options: ResolvedBreakerOptions, private readonly probe: BackendProbe) {
    this.policy = circuitBreaker(handleWhen(countsAgainstBackend), {
      halfOpenAfter: new ProbedHalfOpen(options.halfOpenAfterMs, () => this.reachable),
      breaker: new ConsecutiveBreaker(options.failures),
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
   * Run `fn` through the breaker; an open breaker raises ConnectionError
   * without calling it. While closed with nothing counted, `fn` runs
   * directly (the hot path pays one state check, not cockatiel's promise
   * frames) and only a failure is handed to cockatiel, which counts it as
   * if it had run the call. With `callerDeadline` (the caller's own
   * deadline, shorter than callTimeout, bounded the call) a TimeoutError
   * is the caller's, and does not count.
   */
  run<T>(fn: () => Promise<T>, callerDeadline = false): Promise<T> {
    const state = this.policy.state;
    if (!this.counting && state === CircuitState.Closed) {
      return fn().then(undefined, (error: unknown) => this.failed<T>(error, callerDeadline));
    }
    // cockatiel queues calls behind a half-open test; ours fail fast until it is decided.
    if (state === CircuitState.HalfOpen) return Promise.reject(this.openError(new BrokenCircuitError()));
    let call: Promise<T> | undefined;
    return this.execute(() => {
      call = fn();
      const outcome = call.catch((error: unknown) => {
        throw counts(error, callerDeadline) ? error : new Uncounted(error);
      });
      // A caller's call that is cockatiel's half-open test may hang on a backend that
      // is only starting; a probe's answer decides the test first.
      return this.halfOpenDecided ? Promise.race([outcome, this.halfOpenDecided.promise]) : outcome;
    }).then(
      () => {
        if (this.policy.state === CircuitState.Closed) this.counting = false;
        return call!;
      },
      (error: unknown) => {
        const inner = unwrap(error);
        if (isSessionLoss(inner)) this.confirm();
        throw inner;
      },
    );
  }

  private failed<T>(error: unknown, callerDeadline: boolean): Promise<T> {
    if (!counts(error, callerDeadline)) {
      if (isSessionLoss(error)) this.confirm();
      return Promise.reject(error);
    }
    // Opened while this call ran: it reached Firestore, so its own error tells the caller more than "open".
    if (this.policy.state !== CircuitState.Closed) return Promise.reject(error);
    this.counting = true;
    return this.execute<T>(() => Promise.reject(error));
  }

  /** Check lost connections with one probe: a burst of N losses counts at most once. */
  private confirm(): void {
    if (this.confirming || this.disposed) return;
    this.confirming = this.probe().then(
      () => undefined,
      (error: unknown) => {
        if (this.disposed) return;
        this.counting = true;
        const evidence = new ConnectionError(`Firestore did not answer a probe after a connection was lost: ${error instanceof Error ? error.message.slice(0, 200) : String(error)}`, { cause: error, info: { evidence: 'backend' } });
        return this.execute(() => Promise.reject(evidence)).then(() => undefined, () => undefined);
      },
    ).finally(() => {
      this.confirming = undefined;
    });
  }

  /**
   * While open, start a probe every PROBE_INTERVAL_MS, at most
   * MAX_PROBES in flight: a probe waiting for its timeout on a hung
   * backend does not delay the one that sees it answer again.
   */
  private scheduleProbe(): void {
    if (this.probeTimer || this.disposed) return;
    this.probeTimer = setInterval(() => {
      const state = this.policy.state;
      if ((state !== CircuitState.Open && state !== CircuitState.HalfOpen) || this.disposed) {
        clearInterval(this.probeTimer);
        this.probeTimer = undefined;
        return;
      }
      if (this.probing >= MAX_PROBES) return;
      this.probing++;
      void this.probe().then(() => this.backendIsBack(), () => undefined).finally(() => { this.probing--; });
    }, PROBE_INTERVAL_MS);
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
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) throw this.openError(error);
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

  private openError(cause: Error): ConnectionError {
    return new ConnectionError(
      `The circuit breaker for Firestore is open after ${this.options.failures} consecutive failures to reach it, so the call failed fast without contacting Firestore (nothing was sent). ` +
        `Firestore is probed every ${PROBE_INTERVAL_MS} ms and the breaker closes at its first answer; check the network, the project and the emulator host. Last failure: ${this.reason ?? 'unknown'}`,
      { cause, info: { breaker: this.state, target: 'firestore', sent: false } },
    );
  }
}

/** A failure carried through cockatiel without being counted (cockatiel counts what its filter accepts). */
class Uncounted extends Error {
  constructor(readonly inner: unknown) {
    super('uncounted');
  }
}

/** Whether the breaker counts `error`: evidence about the backend, and not the caller's own deadline. */
function counts(error: unknown, callerDeadline: boolean): boolean {
  return countsAgainstBackend(error) && !(callerDeadline && error instanceof TimeoutError);
}

function unwrap(error: unknown): unknown {
  return error instanceof Uncounted ? error.inner : error;
}
