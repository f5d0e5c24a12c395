import { ChatcoreError } from '@chatcore/core';
import { GrpcStatus, grpcCode } from './error-map.js';

/**
 * What a failure says about Firestore: `backend` (it could not be reached,
 * or did not answer within callTimeout), `session` (a connection dropped
 * while a request was on it: Firestore may be fine), or nothing (an answer
 * from a live backend, the caller's own give-up, bad input).
 *
 * @example
 * ```ts
 * const evidence: FailureEvidence = 'backend';
 * ```
 */
export type FailureEvidence = 'backend' | 'session';

/**
 * Whether a failed request provably never left the client: grpc found no
 * connection to put it on (UNAVAILABLE "No connection established"), or
 * its deadline passed while it still waited for one ("Waiting for LB pick",
 * no remote address). Such a commit cannot have been applied.
 *
 * @example
 * ```ts
 * if (neverSent(error)) return sendAgain();
 * ```
 */
export function neverSent(error: unknown): boolean {
  const code = grpcCode(error);
  if (code !== GrpcStatus.UNAVAILABLE && code !== GrpcStatus.DEADLINE_EXCEEDED) return false;
  const text = error instanceof Error ? error.message : String(error);
  if (code === GrpcStatus.UNAVAILABLE) return text.includes('No connection established');
  return text.includes('Waiting for LB pick') && !text.includes('remote_addr=');
}

/**
 * The evidence a raw SDK error carries about the backend (see
 * `FailureEvidence`), or undefined when it carries none.
 *
 * @example
 * ```ts
 * evidenceOf(sdkError); // 'backend' for a refused connection
 * ```
 */
export function evidenceOf(error: unknown): FailureEvidence | undefined {
  const code = grpcCode(error);
  if (code === GrpcStatus.UNAVAILABLE) return neverSent(error) ? 'backend' : 'session';
  if (code === GrpcStatus.DEADLINE_EXCEEDED) return 'backend';
  return undefined;
}

/**
 * Whether a typed error of a driver call is evidence that Firestore cannot
 * be reached, which is what the circuit breaker counts: `info.evidence` is
 * `backend` (the breaker also leaves out a timeout that was the caller's).
 * Never validation errors, NOT_FOUND, ALREADY_EXISTS, ABORTED contention,
 * quota or credential answers (a live backend said so), the caller's
 * timeout or abort, or a breaker that is already open.
 *
 * @example
 * ```ts
 * circuitBreaker(handleWhen(countsAgainstBackend), { ... });
 * ```
 */
export function countsAgainstBackend(error: unknown): boolean {
  return error instanceof ChatcoreError && error.info.evidence === 'backend' && error.info.breaker === undefined;
}

/**
 * Whether a typed error is the loss of a connection with a request on it:
 * the breaker checks Firestore once (shared by every loss meanwhile)
 * instead of counting each.
 *
 * @example
 * ```ts
 * if (isSessionLoss(error)) breaker.confirm();
 * ```
 */
export function isSessionLoss(error: unknown): boolean {
  return error instanceof ChatcoreError && error.info.evidence === 'session' && error.info.breaker === undefined;
}
