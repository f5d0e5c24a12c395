import { ConnectionError, TimeoutError } from '@chatcore/core';
import { ProbedBreaker, type ResolvedBreakerOptions } from '@chatcore/core/driver';
import { countsAgainstBackend, isSessionLoss } from './failure-evidence.js';

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

/**
 * For `run`'s `ignore`: when the caller's own deadline (shorter than
 * callTimeout) bounded the call, its TimeoutError is the caller's and does
 * not count against Firestore.
 *
 * @example
 * ```ts
 * await breaker.run(() => driverCall(), callerDeadline ? callersOwnTimeout : undefined);
 * ```
 */
export const callersOwnTimeout = (error: unknown): boolean => error instanceof TimeoutError;

/**
 * The circuit breaker over Firestore: core's ProbedBreaker with
 * Firestore's evidence rules (`countsAgainstBackend`): a request that found
 * no connection, and one that got no answer within callTimeout. Answers
 * from a live backend (NOT_FOUND, ALREADY_EXISTS, ABORTED contention,
 * quota, credentials), validation errors and the caller's own timeout or
 * abort never count. A dropped connection is checked with one probe. While
 * open, calls fail at once with ConnectionError (`info.breaker: 'open'`,
 * nothing sent), and up to MAX_PROBES probes, one started every
 * PROBE_INTERVAL_MS, ask Firestore; the first answer closes it.
 *
 * @example
 * ```ts
 * const breaker = new FirestoreBreaker(resolveBreakerOptions({ failures: 3 }), probe);
 * const rows = await breaker.run(() => driverCall(), callersOwnTimeout); // the caller's deadline bounded it
 * ```
 */
export class FirestoreBreaker extends ProbedBreaker {
  constructor(options: ResolvedBreakerOptions, probe: BackendProbe) {
    super({
      options,
      counts: countsAgainstBackend,
      isSessionLoss,
      probe,
      probeEveryMs: PROBE_INTERVAL_MS,
      maxProbes: MAX_PROBES,
      lossEvidence: (error) => new ConnectionError(`Firestore did not answer a probe after a connection was lost: ${error instanceof Error ? error.message.slice(0, 200) : String(error)}`, { cause: error, info: { evidence: 'backend' } }),
      openError: (cause, b) => new ConnectionError(
        `The circuit breaker for Firestore is open after ${options.failures} consecutive failures to reach it, so the call failed fast without contacting Firestore (nothing was sent). ` +
          `Firestore is probed every ${PROBE_INTERVAL_MS} ms and the breaker closes at its first answer; check the network, the project and the emulator host. Last failure: ${b.reason ?? 'unknown'}`,
        { cause, info: { breaker: b.state, target: 'firestore', sent: false } },
      ),
    });
  }
}
