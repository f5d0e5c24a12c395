import type pg from 'pg';
import { AbortedError } from '@chatcore/core';

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

/** A pg Client as pg-pool keeps it: connected once its startup completed, its socket reachable until then. */
interface PooledClient {
  _connected?: unknown;
  connection?: { stream?: { destroy(err?: Error): void } };
}

/**
 * Abort, with `err`, every connection of the pool still being opened (the
 * server has not completed its startup), so an ending pool does not wait
 * out connectTimeout on a server that accepted TCP and never answered: the
 * caller waiting on that connection gets `err` at once, and `pool.end()`
 * no longer waits for it. Connections already open are left to `end()`.
 * pg-pool keeps its clients in the `_clients` field (opening ones
 * included) with no public way to reach them; returns how many were
 * aborted, 0 when the field is missing (another pg-pool: the close tests
 * then fail).
 *
 * @example
 * ```ts
 * failQueuedCheckouts(pool, closedError('primary'));
 * abortOpeningConnections(pool, closedError('primary'));
 * await pool.end();
 * ```
 */
export function abortOpeningConnections(pool: pg.Pool, err: Error): number {
  const clients = (pool as unknown as { _clients?: unknown })._clients;
  if (!Array.isArray(clients)) return 0;
  let aborted = 0;
  for (const client of clients as PooledClient[]) {
    if (client._connected !== false || !client.connection?.stream) continue;
    // pg reports a socket error while connecting to the connect callback, which answers the waiting caller.
    client.connection.stream.destroy(err);
    aborted++;
  }
  return aborted;
}

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
 * `pool.connect(callback)`, except that the caller can give up while it
 * waits: when `signal` fires, `callback` gets the signal's reason at once,
 * with `withdrawn` set (not a failure of the server, nothing was sent). A
 * checkout queued behind busy connections leaves pg-pool's queue, so it
 * never takes a connection in its turn (nor counts as waiting). One for
 * which the pool is opening a new connection is released too: that
 * connection, once open, goes back to the pool idle (pg-pool counts it
 * meanwhile, so the pool never opens more than its size); if it fails
 * instead, `lateFailure` gets the error (the caller that left never sees
 * it). Like `failQueuedCheckouts`, this reads pg-pool's `_pendingQueue`;
 * without it a queued checkout is released the same way and handed back
 * its connection in its turn. `callback` runs once.
 *
 * @example
 * ```ts
 * connectUnlessAborted(pool, signal, (err, client) => { if (client) client.release(); });
 * ```
 */
export function connectUnlessAborted(
  pool: Pick<pg.Pool, 'connect'>, signal: AbortSignal | undefined,
  callback: (err: Error | undefined, client: pg.PoolClient | undefined, withdrawn?: true) => void,
  lateFailure?: (err: Error) => void,
): void {
  if (!signal) {
    pool.connect((err, client) => callback(err, client));
    return;
  }
  if (signal.aborted) {
    callback(abortReason(signal), undefined, true);
    return;
  }
  const queue = (pool as unknown as { _pendingQueue?: unknown })._pendingQueue;
  const before = Array.isArray(queue) ? queue.length : 0;
  let answered = false;
  let queued: unknown;
  /** The caller left while a new connection was opened for it, not from the queue. */
  let leftConnecting = false;
  const onAbort = () => {
    if (answered) return;
    const at = queued === undefined ? -1 : (queue as unknown[]).indexOf(queued);
    if (at !== -1) (queue as unknown[]).splice(at, 1);
    // Not (or no longer) queued: the pool is opening a new connection for this checkout.
    else leftConnecting = Array.isArray(queue) && queued === undefined;
    answered = true;
    callback(abortReason(signal), undefined, true);
  };
  pool.connect((err, client) => {
    if (answered) {
      // The caller left: a connection opened for it meanwhile goes back to the pool unused. pg-pool's
      // own wait timer still fires for a checkout withdrawn from the queue (an error, never a client).
      if (client) client.release();
      else if (err && leftConnecting) lateFailure?.(err);
      return;
    }
    answered = true;
    signal.removeEventListener('abort', onAbort);
    callback(err, client);
  });
  if (answered) return;
  if (Array.isArray(queue) && queue.length > before) queued = queue[queue.length - 1];
  signal.addEventListener('abort', onAbort, { once: true });
}
