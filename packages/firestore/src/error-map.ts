import { ChatcoreError, ConnectionError, DriverError, TimeoutError, TransactionError, UnsupportedQueryError } from '@chatcore/core';
import { evidenceOf } from './failure-evidence.js';
import { requestTooLarge } from './request-size.js';
import { descendingIdScanError, isDescendingKeyScan } from './emulator-order.js';

/**
 * gRPC status codes the SDK reports in `error.code`.
 *
 * @example
 * ```ts
 * if (grpcCode(error) === GrpcStatus.ABORTED) retry();
 * ```
 */
export const GrpcStatus = Object.freeze({
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
});

/**
 * The gRPC status of an SDK error, if it has one.
 *
 * @example
 * ```ts
 * if (grpcCode(e) === GrpcStatus.ALREADY_EXISTS) ...
 * ```
 */
export function grpcCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Map an SDK error to a typed chatcore error (typed errors, and errors
 * without a gRPC status, pass through).
 * ALREADY_EXISTS is handled where the driver knows which record it was.
 *
 * @example
 * ```ts
 * try { await q.get(); } catch (e) { throw mapError(e, 'messages.query'); }
 * ```
 */
export function mapError(error: unknown, what: string): Error {
  if (error instanceof ChatcoreError) return error;
  const code = grpcCode(error);
  // Not from the backend (the caller's own error inside a transaction, or a bug): keep it as is.
  if (code === undefined && error instanceof Error) return error;
  const detail = error instanceof Error ? error.message : String(error);
  switch (code) {
    case GrpcStatus.UNAVAILABLE: {
      const evidence = evidenceOf(error);
      return new ConnectionError(`Firestore is unavailable during ${what}. Check the network, the project and the emulator host; the call can be retried.`, { cause: error, info: { grpcCode: code, evidence, transient: true } });
    }
    case GrpcStatus.DEADLINE_EXCEEDED:
      // gax ends its UNAVAILABLE retries with DEADLINE_EXCEEDED: the backend was unreachable, not slow.
      if (/retrying error [^\n]*\b14 UNAVAILABLE\b/.test(detail)) {
        return new ConnectionError(`Firestore stayed unavailable during ${what} until the call's deadline (callTimeout, or the call's timeout). Check the network, the project and the emulator host; the call can be retried.`, { cause: error, info: { grpcCode: code, evidence: 'backend', transient: true } });
      }
      return new TimeoutError(`Firestore did not answer ${what} within the call's deadline (callTimeout, or the call's timeout). Retry, or raise the timeout.`, { cause: error, info: { grpcCode: code, evidence: 'backend' } });
    case GrpcStatus.ABORTED:
      // Reached only once the retries are spent (the client retries transactions, the driver batches).
      return contentionError(error, what, undefined);
    case GrpcStatus.UNAUTHENTICATED:
    case GrpcStatus.PERMISSION_DENIED:
      return new ConnectionError(`Firestore refused the credentials for ${what}. Check credentials/keyFilename and the service account's roles.`, { cause: error });
    case GrpcStatus.RESOURCE_EXHAUSTED:
      // The same status for a request over the size limit (the emulator's gRPC cap is 4 MiB): not quota, and not worth a retry.
      if (/exceeds maximum size|larger than max/i.test(detail)) return requestTooLarge(what, { cause: error });
      return new ConnectionError(`Firestore quota exhausted during ${what}. Slow down or raise the quota, then retry.`, { cause: error });
    case GrpcStatus.FAILED_PRECONDITION:
      if (isDescendingKeyScan(detail)) return descendingIdScanError(what, error);
      if (/index/i.test(detail)) {
        return new UnsupportedQueryError(`Firestore needs a composite index for ${what}: deploy the index named in the cause (ensureSchema lists them as firestore.indexes.json).`, { info: { backend: 'firestore', limit: 'index', cause: detail } });
      }
      break;
  }
  return new DriverError(`Firestore failed during ${what}${code === undefined ? '' : ` (gRPC status ${code})`}. See the cause.`, { cause: error });
}

/**
 * The error for a write that Firestore aborted because of contention on
 * every one of its `attempts` (when known): nothing of it was applied.
 *
 * @example
 * ```ts
 * if (grpcCode(e) === GrpcStatus.ABORTED) throw contentionError(e, 'items write', 25);
 * ```
 */
export function contentionError(error: unknown, what: string, attempts: number | undefined): TransactionError {
  const times = attempts === undefined ? 'repeatedly' : attempts === 1 ? 'on its only attempt' : `on all ${attempts} attempts (maxTransactionAttempts)`;
  return new TransactionError(
    `Firestore aborted ${what} ${times} because of contention on the same documents; nothing of it was applied. Retry later, spread the writes over more documents, or raise maxTransactionAttempts.`,
    { cause: error, info: { grpcCode: GrpcStatus.ABORTED, ...(attempts === undefined ? {} : { attempts }) } },
  );
}
