import type pg from 'pg';

/** pg-pool's queue entry for a caller waiting on `connect()`: its callback clears the wait's timer and answers the caller. */
interface QueuedCheckout {
  callback(err: Error | undefined, client?: undefined, release?: () => void): void;
}

/**
 * Fail at once, with `err`, every caller still queued on `pool.connect()`.
 * An ending pg Pool never serves its queue: without this its waiters would
 * hang, or fail at connectTimeout as if the server were down. pg-pool keeps
 * the queue in its `_pendingQueue` field and has no public way to reach it;
 * reading it at close costs the read path nothing (a wrapper around every
 * checkout did). Returns how many were failed; 0 when the field is missing
 * (another pg-pool), and the close tests then fail.
 *
 * @example
 * ```ts
 * failQueuedCheckouts(pool, closedError('primary'));
 * await pool.end();
 * ```
 */
export function failQueuedCheckouts(pool: pg.Pool, err: Error): number {
  const queue = (pool as unknown as { _pendingQueue?: unknown })._pendingQueue;
  if (!Array.isArray(queue)) return 0;
  const queued = queue.splice(0) as QueuedCheckout[];
  for (const item of queued) item.callback(err, undefined, () => undefined);
  return queued.length;
}
