import { AsyncLocalStorage } from 'node:async_hooks';
import type { Firestore } from '@google-cloud/firestore';
import { ConnectionError } from '@chatcore/core';
import { GrpcStatus } from './error-map.js';

/**
 * The caller's bound on one driver call (its `timeoutMs` and `signal`),
 * seen by every request the SDK sends on the call's behalf.
 */
interface CallScope {
  /** Epoch ms after which no request may run (Infinity: only callTimeout bounds). */
  readonly deadline: number;
  readonly signal?: AbortSignal | undefined;
}

const scopes = new AsyncLocalStorage<CallScope>();

/**
 * Run `fn` so that the SDK requests it sends stop at the caller's timeout
 * or signal. Calls without either run as they are (no scope to allocate).
 *
 * @example
 * ```ts
 * await withCallScope({ timeoutMs: 2000 }, () => ref.get());
 * ```
 */
export function withCallScope<T>(options: { readonly timeoutMs?: number | undefined; readonly signal?: AbortSignal | undefined }, fn: () => Promise<T>): Promise<T> {
  const { timeoutMs, signal } = options;
  if (!timeoutMs && !signal) return fn();
  const outer = scopes.getStore();
  let deadline = timeoutMs ? Date.now() + timeoutMs : Infinity;
  if (outer && outer.deadline < deadline) deadline = outer.deadline;
  return scopes.run({ deadline, signal: either(signal, outer?.signal) }, fn);
}

/** A signal that fires when either does: an inner call stops with its transaction too. */
function either(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (!a || !b || a === b) return a ?? b;
  return AbortSignal.any([a, b]);
}

/** When the request starting now must end: callTimeout from now, the caller's deadline, or now if aborted. */
function requestDeadline(callTimeoutMs: number): number {
  const now = Date.now();
  const scope = scopes.getStore();
  if (!scope) return now + callTimeoutMs;
  if (scope.signal?.aborted) return now;
  return Math.min(now + callTimeoutMs, scope.deadline);
}

/**
 * Milliseconds left before `deadline`; -1 once it has passed, which makes
 * gax and grpc fail the request with DEADLINE_EXCEEDED before sending it
 * (0 would mean "no deadline").
 */
function remaining(deadline: number): number {
  const ms = deadline - Date.now();
  return ms >= 1 ? ms : -1;
}

/** The parts of the SDK client (8.x) that every request goes through. */
interface SdkInternals {
  createCallOptions(methodName: string, retryCodes?: number[]): GaxCallOptions;
  _retry<T>(methodName: string, requestTag: string, func: () => Promise<T>): Promise<T>;
}

interface GaxCallOptions {
  timeout?: number;
  retry?: { retryCodes: number[]; backoffSettings: Record<string, unknown> };
  retryRequestOptions?: { retries: number; noResponseRetries: number };
  [key: string]: unknown;
}

// Codes the SDK retries for its streaming reads (batchGetDocuments, runQuery,
// runAggregationQuery in the service config); errors without a code too.
const STREAM_RETRY = new Set<number | undefined>([undefined, GrpcStatus.DEADLINE_EXCEEDED, GrpcStatus.INTERNAL, GrpcStatus.UNAVAILABLE]);
const STREAM_ATTEMPTS = 5;
const MIN_ATTEMPT_MS = 20;

/**
 * Bound every request of `client` in time. The SDK retries UNAVAILABLE on
 * its own for up to 10 minutes (commits) or about 45 s (reads), which is
 * how an unreachable backend used to hang a call. Each request now gets,
 * through its gax call options, a deadline of `callTimeoutMs` from its
 * start (or the caller's deadline if sooner): unary calls (commit,
 * rollback) retry within it, streaming reads retry here within it, and
 * nothing is retried or sent once it has passed or the caller's signal
 * fired. Call `close()` on the result before terminating the client: a
 * read waiting between attempts then gives up instead of starting a
 * request on a terminated client. Undefined when the SDK lacks the
 * expected internals.
 *
 * @example
 * ```ts
 * const deadlines = installDeadlines(client, 20_000);
 * deadlines?.close(); await client.terminate();
 * ```
 */
export function installDeadlines(client: Firestore, callTimeoutMs: number): { close(): void } | undefined {
  const sdk = client as unknown as SdkInternals;
  if (typeof sdk.createCallOptions !== 'function' || typeof sdk._retry !== 'function') return undefined;
  const closing = new AbortController();
  const createCallOptions = sdk.createCallOptions.bind(client);
  sdk.createCallOptions = (methodName, retryCodes) => {
    const options = createCallOptions(methodName, retryCodes);
    const deadline = requestDeadline(callTimeoutMs);
    // Read by gax at each attempt of a stream, so later attempts get what is left.
    Object.defineProperty(options, 'timeout', { enumerable: true, configurable: true, get: () => remaining(deadline) });
    if (options.retry) {
      // The SDK hands gax the service config's shared backoff (a 600 s total): bound a copy.
      const left = remaining(deadline);
      options.retry = {
        retryCodes: options.retry.retryCodes,
        backoffSettings: { ...options.retry.backoffSettings, totalTimeoutMillis: left, initialRpcTimeoutMillis: left, maxRpcTimeoutMillis: left },
      };
    }
    // One stream per attempt: the attempts are counted and spaced by `_retry` below.
    options.retryRequestOptions = { retries: 0, noResponseRetries: 0 };
    return options;
  };
  sdk._retry = async <T>(_methodName: string, _requestTag: string, func: () => Promise<T>): Promise<T> => {
    const deadline = requestDeadline(callTimeoutMs);
    let delay = 1000;
    let last: unknown;
    for (let attempt = 0; attempt < STREAM_ATTEMPTS; attempt++) {
      if (attempt > 0) {
        // Same backoff as the SDK (1 s, x1.5, +-50% jitter). An attempt that
        // could only start at the deadline is not made: the caller gets the
        // last real answer (UNAVAILABLE: ConnectionError) rather than a timeout.
        const wait = delay * (0.5 + Math.random());
        const signal = scopes.getStore()?.signal;
        if (wait + MIN_ATTEMPT_MS >= deadline - Date.now() || signal?.aborted || closing.signal.aborted) break;
        await sleep(wait, closing.signal, signal);
        if (signal?.aborted || closing.signal.aborted) break;
        delay = Math.min(delay * 1.5, 60_000);
      }
      // The SDK starts a stream on a terminated client with an unhandled rejection
      // (a process crash) and never settles the read: refuse it here instead.
      if (closing.signal.aborted) throw last ?? new ConnectionError('The Firestore driver is closed; the read was not sent. Open a new driver (or database) to continue.');
      try {
        return await func();
      } catch (error) {
        last = error;
        if (!STREAM_RETRY.has((error as { code?: number } | null)?.code) || Date.now() >= deadline) break;
      }
    }
    throw last;
  };
  return { close: () => closing.abort() };
}

/** Wait `ms`, or less if a signal fires. */
function sleep(ms: number, a: AbortSignal, b: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      a.removeEventListener('abort', done);
      b?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    a.addEventListener('abort', done, { once: true });
    b?.addEventListener('abort', done, { once: true });
  });
}
