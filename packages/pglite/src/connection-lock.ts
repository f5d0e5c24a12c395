import { AbortedError } from '@chatcore/core';
import { TURN_MS } from './event-loop-turns.js';

/**
 * What a caller that gave up gets: the signal's own reason (core's
 * TimeoutError for a per-call timeout), or an AbortedError around it.
 *
 * @example
 * ```ts
 * if (signal.aborted) throw abortReason(signal);
 * ```
 */
export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new AbortedError({ cause: signal.reason });
}

/**
 * A FIFO lock over PGlite's single connection. A transaction holds it from
 * BEGIN to COMMIT; a lone statement holds it for one round trip. Without it,
 * a statement from elsewhere would run inside someone else's transaction.
 *
 * @example
 * ```ts
 * const lock = new ConnectionLock();
 * await lock.acquire(AbortSignal.timeout(1000)); // at once when free, else in arrival order; rejects once the signal fires
 * try { await client.query('select 1'); } finally { lock.release(); }
 * ```
 */
export class ConnectionLock {
  private locked = false;
  private readonly waiters: Array<() => void> = [];
  /** When the lock last let the event loop turn before a hand-over. */
  private lastTurn = 0;

  /**
   * Resolves when the caller holds the lock (immediately when it is free).
   * A waiter whose `signal` fires leaves the queue at once: its promise
   * rejects with the signal's reason and it never gets the lock.
   */
  acquire(signal?: AbortSignal): Promise<void> | undefined {
    if (!this.locked) {
      this.locked = true;
      return undefined;
    }
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = this.waiters.indexOf(grant);
        if (index !== -1) this.waiters.splice(index, 1);
        reject(abortReason(signal!));
      };
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(grant);
    });
  }

  /**
   * Frees the lock, or hands it to the first waiter. Handed over through
   * promise resolution alone, a burst of queued statements would never let
   * the event loop turn: no timer (a caller's timeout, an
   * `AbortSignal.timeout`) could fire, nor any I/O run, until the burst was
   * over. So a hand-over more than `TURN_MS` after the lock last let the
   * event loop turn first waits for the next turn (setImmediate). The lock
   * stays taken meanwhile, so no newcomer jumps the queue, and a waiter
   * whose signal fired meanwhile has left it.
   */
  release(): void {
    if (this.waiters.length === 0) this.locked = false;
    else if (performance.now() - this.lastTurn < TURN_MS) this.handOver();
    else setImmediate(this.handOverNextTurn);
  }

  private handOver(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }

  private readonly handOverNextTurn = (): void => {
    this.lastTurn = performance.now();
    this.handOver();
  };

  /** Statements and transactions waiting for the connection. */
  get waiting(): number {
    return this.waiters.length;
  }
}
