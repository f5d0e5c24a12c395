import { AsyncLocalStorage } from 'node:async_hooks';
import type { Firestore } from '@google-cloud/firestore';
import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import { ConnectionError } from '@chatcore/core';
import type { ResolvedRetryOptions } from '@chatcore/core/driver';
import { GrpcStatus, grpcCode } from './error-map.js';

/**
 * The caller's bound on one driver call (its `timeoutMs` and `signal`),
 * seen by every request the SDK sends on the call's behalf.
 */
interface CallScope {
  /** Epoch ms after which no request may run (Infinity: only callTimeout bounds). */
  readonly deadline: number;
  readonly signal?: AbortSignal | undefined;
  /** Retries of a failed read, instead of the driver's `retry.maxRetries` (a probe makes none). */
  readonly retries?: number | undefined;
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
export function withCallScope<T>(options: { readonly timeoutMs?: number | undefined; readonly signal?: AbortSignal | undefined; readonly retries?: number | undefined }, fn: () => Promise<T>): Promise<T> {
  const { timeoutMs, signal, retries } = options;
  if (!timeoutMs && !signal && retries === undefined) return fn();
  const outer = scopes.getStore();
  let deadline = timeoutMs ? Date.now() + timeoutMs : Infinity;
  if (outer && outer.deadline < deadline) deadline = outer.deadline;
  return scopes.run({ deadline, signal: either(signal, outer?.signal), retries: retries ?? outer?.retries }, fn);
}

/**
 * Run `fn` under a deadline of its own, `timeoutMs` from now, whatever is
 * left of the call around it: a follow-up that must still get an answer
 * after the call's request ran out of time. The caller's signal still
 * stops it.
 *
 * @example
 * ```ts
 * const snaps = await withFreshDeadline(20_000, () => client.getAll(ref));
 * ```
 */
export function withFreshDeadline<T>(timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const outer = scopes.getStore();
  return scopes.run({ deadline: Date.now() + timeoutMs, signal: outer?.signal, retries: outer?.retries }, fn);
}

/**
 * The caller's signal, and the deadline of a request starting now
 * (callTimeout from now, or the caller's deadline if sooner).
 *
 * @example
 * ```ts
 * const { signal, deadline } = callerLimits(20_000);
 * ```
 */
export function callerLimits(callTimeoutMs: number): { readonly signal: AbortSignal | undefined; readonly deadline: number } {
  return { signal: scopes.getStore()?.signal, deadline: requestDeadline(callTimeoutMs) };
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
 *
 * @example
 * ```ts
 * const options = { timeout: remaining(Date.now() + 2000) }; // about 2000
 * ```
 */
export function remaining(deadline: number): number {
  const ms = deadline - Date.now();
  return ms >= 1 ? ms : -1;
}

/**
 * The parts of the SDK client (8.x) that every request goes through; the
 * driver replaces them on its own client only.
 *
 * @example
 * ```ts
 * const sdk = client as unknown as SdkInternals;
 * if (typeof sdk._retry !== 'function') throw new Error('SDK internals changed');
 * ```
 */
export interface SdkInternals {
  createCallOptions(methodName: string, retryCodes?: number[]): GaxCallOptions;
  _retry<T>(methodName: string, requestTag: string, func: () => Promise<T>): Promise<T>;
  request<T>(methodName: string, request: object, requestTag: string, retryCodes?: number[]): Promise<T>;
  _clientPool: { run<T>(requestTag: string, requiresGrpc: boolean, op: (gapicClient: Record<string, GapicMethod>) => Promise<T>): Promise<T> };
}

/**
 * A unary method of the generated client: its promise can be cancelled.
 *
 * @example
 * ```ts
 * const call = gapic.commit!(request, callOptions); signal.onabort = () => call.cancel?.();
 * ```
 */
export type GapicMethod = (request: object, options: GaxCallOptions) => Promise<unknown[]> & { cancel?(): void };

/**
 * The gax call options of one request.
 *
 * @example
 * ```ts
 * const options: GaxCallOptions = { timeout: 2000 };
 * ```
 */
export interface GaxCallOptions {
  timeout?: number;
  retry?: { retryCodes: number[]; backoffSettings: Record<string, unknown> };
  retryRequestOptions?: { retries: number; noResponseRetries: number };
  [key: string]: unknown;
}

// Codes the SDK retries for its streaming reads (batchGetDocuments, runQuery,
// runAggregationQuery in the service config); errors without a code too.
const STREAM_RETRY = new Set<number | undefined>([undefined, GrpcStatus.DEADLINE_EXCEEDED, GrpcStatus.INTERNAL, GrpcStatus.UNAVAILABLE]);
/** An attempt that could start only this close to its deadline is not made. */
const MIN_ATTEMPT_MS = 20;

/**
 * Bound every request of `client` in time. The SDK retries UNAVAILABLE on
 * its own for up to 10 minutes (commits) or about 45 s (reads), which is
 * how an unreachable backend used to hang a call. Each request now gets,
 * through its gax call options, a deadline of `callTimeoutMs` from its
 * start (or the caller's deadline if sooner). Streaming reads (document
 * reads, queries, counts: idempotent) are retried here on UNAVAILABLE,
 * DEADLINE_EXCEEDED and INTERNAL with `retry` (cockatiel, exponential
 * backoff with jitter), within that deadline; nothing is retried or sent
 * once it has passed or the caller's signal fired. Commits are handled by
 * `installCommitRules`. Call `close()` on the result before terminating
 * the client: a read waiting between attempts then gives up instead of
 * starting a request on a terminated client. Undefined when the SDK lacks
 * the expected internals.
 *
 * @example
 * ```ts
 * const deadlines = installDeadlines(client, 20_000, resolveRetryOptions({}));
 * deadlines?.close(); await client.terminate();
 * ```
 */
export function installDeadlines(client: Firestore, callTimeoutMs: number, retryOptions: ResolvedRetryOptions | undefined): { close(): void; readonly closing: AbortSignal } | undefined {
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
  sdk._retry = <T>(_methodName: string, _requestTag: string, func: () => Promise<T>): Promise<T> => {
    const deadline = requestDeadline(callTimeoutMs);
    const scope = scopes.getStore();
    const retries = scope?.retries ?? retryOptions?.maxRetries ?? 0;
    // The SDK starts a stream on a terminated client with an unhandled rejection
    // (a process crash) and never settles the read: refuse it here instead.
    if (closing.signal.aborted) return Promise.reject(closedError());
    // The first attempt runs outside cockatiel: a read that succeeds pays no policy.
    return func().catch((first: unknown) => retryAfter(first, func, {
      retries, options: retryOptions, deadline, signal: scope?.signal, closing: closing.signal,
      retryable: (error) => STREAM_RETRY.has(grpcCode(error)),
    }));
  };
  return { close: () => closing.abort(), closing: closing.signal };
}

/**
 * What `retryAfter` needs to know about the request it retries.
 *
 * @example
 * ```ts
 * const limits: RetryLimits = { retries: 3, options: resolveRetryOptions({}), deadline: Date.now() + 2000, signal: undefined, closing, retryable: () => true };
 * ```
 */
export interface RetryLimits {
  readonly retries: number;
  readonly options: ResolvedRetryOptions | undefined;
  /** No attempt starts within MIN_ATTEMPT_MS of it. */
  readonly deadline: number;
  /** The caller's signal: no attempt once it fired. */
  readonly signal: AbortSignal | undefined;
  /** Fires at the driver's close: no attempt after it. */
  readonly closing: AbortSignal;
  readonly retryable: (error: unknown) => boolean;
}

/**
 * Retry a request whose first attempt failed with `first`, with cockatiel's
 * retry policy (exponential backoff with jitter, at most `retries` more
 * attempts). The first attempt ran outside the policy, so a success pays
 * nothing; its failure is replayed as the policy's attempt 0. An attempt
 * that could only start at the deadline, or after the caller's signal or
 * the driver's close, is not made: the caller gets the last real answer
 * (UNAVAILABLE: ConnectionError), not a timeout.
 *
 * @example
 * ```ts
 * const snap = await func().catch((first) => retryAfter(first, func, limits));
 * ```
 */
export function retryAfter<T>(first: unknown, func: () => Promise<T>, limits: RetryLimits): Promise<T> {
  const { retries, options, deadline, signal, closing, retryable } = limits;
  const worth = (error: unknown) => retries > 0 && retryable(error) && !signal?.aborted && !closing.aborted && deadline - Date.now() > MIN_ATTEMPT_MS;
  if (!worth(first)) return Promise.reject(first);
  let last = first;
  const policy = retry(handleWhen((error) => worth(error)), {
    maxAttempts: retries,
    backoff: new ExponentialBackoff({ initialDelay: options?.initialDelayMs ?? 50, maxDelay: options?.maxDelayMs ?? 1000 }),
  });
  return policy.execute(({ attempt }) => {
    if (attempt === 0) return Promise.reject(first);
    if (closing.aborted || signal?.aborted || deadline - Date.now() <= MIN_ATTEMPT_MS) return Promise.reject(last);
    return func().catch((error: unknown) => {
      last = error;
      throw error;
    });
  }, signal ? AbortSignal.any([closing, signal]) : closing);
}

/**
 * The error for a request refused because the driver is closed (nothing was sent).
 *
 * @example
 * ```ts
 * if (closing.aborted) throw closedError();
 * ```
 */
export function closedError(): ConnectionError {
  return new ConnectionError('The Firestore driver is closed; the request was not sent. Open a new driver (or database) to continue.', { info: { sent: false } });
}
