import type { Firestore } from '@google-cloud/firestore';
import { AbortedError, ChatcoreError, ConnectionError, TimeoutError } from '@chatcore/core';
import type { ResolvedRetryOptions } from '@chatcore/core/driver';
import { GrpcStatus, grpcCode } from './error-map.js';
import { neverSent } from './failure-evidence.js';
import { callerLimits, closedError, retryAfter, type SdkInternals } from './sdk-deadlines.js';

/** Commit failures after which the commit may have been applied. */
const UNKNOWN_FATE = new Set<number | undefined>([GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED, GrpcStatus.INTERNAL, 2 /* UNKNOWN */, 1 /* CANCELLED */]);

/**
 * Make every commit of `client` (batched writes and transactions) follow
 * the write rule:
 *
 * - **Not sent when the caller gives up**: a commit whose caller's signal
 *   fired before it was handed to grpc is never sent; one still queued in
 *   grpc (waiting for a connection) when the signal fires is cancelled
 *   there, so it is not sent later either. (A commit already on the wire
 *   when the signal fires is cancelled too; the caller's error then says
 *   it may still complete.)
 * - **Never sent** (no connection to put it on): sent again with the
 *   driver's `retry` policy within its deadline; nothing can apply twice.
 * - **Sent, then the connection dropped or the deadline passed**: the
 *   commit may or may not have been applied. The SDK would retry it (gax
 *   for batched writes, a re-run of the whole transaction function for
 *   transactions), which can apply an increment or a create twice; the
 *   driver raises a typed error saying the outcome is unknown instead
 *   (`info.outcome: 'unknown'`), which the SDK does not retry.
 *
 * ABORTED (contention: nothing was applied) is still retried as before.
 *
 * @example
 * ```ts
 * const deadlines = installDeadlines(client, 20_000, retry)!;
 * installCommitRules(client, 20_000, retry, deadlines.closing);
 * ```
 */
export function installCommitRules(client: Firestore, callTimeoutMs: number, retryOptions: ResolvedRetryOptions | undefined, closing: AbortSignal): boolean {
  const sdk = client as unknown as SdkInternals;
  if (typeof sdk.request !== 'function' || typeof sdk._clientPool?.run !== 'function') return false;
  const request = sdk.request.bind(client);
  sdk.request = <T>(methodName: string, body: object, requestTag: string, retryCodes?: number[]): Promise<T> => {
    if (methodName !== 'commit') return request<T>(methodName, body, requestTag, retryCodes);
    // gax would resend a commit on UNAVAILABLE whether or not it had been sent: only ABORTED stays.
    const codes = retryCodes?.filter((c) => c === GrpcStatus.ABORTED);
    const { signal, deadline } = callerLimits(callTimeoutMs);
    const once = (): Promise<T> => {
      if (closing.aborted) return Promise.reject(closedError());
      if (signal?.aborted) return Promise.reject(notSent(signal));
      const callOptions = sdk.createCallOptions('commit', codes);
      return sdk._clientPool.run(requestTag, false, (gapic) => {
        if (signal?.aborted) return Promise.reject(notSent(signal));
        const call = gapic.commit!(body, callOptions);
        const cancel = () => call.cancel?.();
        signal?.addEventListener('abort', cancel, { once: true });
        return call.then(([result]) => result as T).finally(() => signal?.removeEventListener('abort', cancel));
      });
    };
    return once()
      .catch((first: unknown) => retryAfter(first, once, {
        retries: retryOptions?.maxRetries ?? 0, options: retryOptions, deadline, signal, closing, retryable: neverSent,
      }))
      .catch((error: unknown) => { throw commitFailure(error, signal); });
  };
  return true;
}

/**
 * grpc-js resends a request on a new connection when the first one closed
 * before an answer came ("transparent retry"). A transaction's commit that
 * had in fact been applied then meets its own closed transaction.
 */
function resentAfterCommit(error: unknown): boolean {
  return grpcCode(error) === GrpcStatus.INVALID_ARGUMENT && /transaction is invalid or closed/i.test(error instanceof Error ? error.message : '');
}

/** The error for a commit that was not sent because its caller gave up first. */
function notSent(signal: AbortSignal): Error {
  return signal.reason instanceof ChatcoreError ? signal.reason : new AbortedError({ cause: signal.reason });
}

/**
 * A failed commit as the caller must see it: unchanged when it provably
 * did not apply (never sent, ABORTED, an answer such as ALREADY_EXISTS);
 * otherwise a typed error saying the commit may or may not have been
 * applied, which neither gax nor the SDK's transaction loop retries.
 */
function commitFailure(error: unknown, signal: AbortSignal | undefined): unknown {
  if (error instanceof ChatcoreError || neverSent(error)) return error;
  const code = grpcCode(error);
  if (!UNKNOWN_FATE.has(code) && !resentAfterCommit(error)) return error;
  // Our own cancel after the caller gave up: the caller already has its TimeoutError / AbortedError.
  if (code === 1 && signal?.aborted) return notSent(signal);
  const info = { grpcCode: code, phase: 'commit', outcome: 'unknown', sent: true, evidence: code === GrpcStatus.DEADLINE_EXCEEDED ? 'backend' : 'session', transient: true };
  const advice = 'Read the records before writing again (a create with a client id can be retried: a duplicate id then shows it was applied).';
  if (code === GrpcStatus.DEADLINE_EXCEEDED) {
    return new TimeoutError(`Firestore did not answer a commit within its deadline (callTimeout, or the call's timeout): the write may or may not have been applied. ${advice}`, { cause: error, info });
  }
  return new ConnectionError(`The connection to Firestore was lost while a commit was on it: the write may or may not have been applied. ${advice}`, { cause: error, info });
}
