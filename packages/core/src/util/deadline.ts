import { AbortedError, TimeoutError } from '../errors.js';

/**
 * Race `work` against the caller's signal and a timeout. The driver also
 * receives the signal so it can cancel server-side; this guarantees the
 * caller is released on time even when it cannot. The signal given to
 * `work` aborts at the moment the caller is released, with the very error
 * the caller gets (a TimeoutError or an AbortedError) as its reason.
 *
 * @example
 * ```ts
 * await withDeadline((signal) => driver.query(schema, q, { signal }), { timeoutMs: 2000 });
 * ```
 */
export function withDeadline<T>(
  work: (signal: AbortSignal | undefined) => Promise<T>,
  options: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined; what?: string },
): Promise<T> {
  // No deadline: the work's own promise, without an async frame around it (every call's path).
  if (!options.signal && !options.timeoutMs) return work(undefined);
  return raceDeadline(work, options);
}

async function raceDeadline<T>(
  work: (signal: AbortSignal | undefined) => Promise<T>,
  options: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined; what?: string },
): Promise<T> {
  const { signal, timeoutMs } = options;
  if (signal?.aborted) throw new AbortedError({ cause: signal.reason });
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    if (timeoutMs) {
      timer = setTimeout(() => {
        const err = new TimeoutError(`${options.what ?? 'The operation'} did not finish within ${timeoutMs} ms. Raise the timeout, or check the backend's load; a write may still complete.`, { info: { timeoutMs } });
        controller.abort(err);
        reject(err);
      }, timeoutMs);
      timer.unref?.();
    }
    if (signal) {
      onAbort = () => {
        const err = new AbortedError({ cause: signal.reason });
        controller.abort(err);
        reject(err);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  stop.catch(() => undefined);
  try {
    return await Promise.race([work(controller.signal), stop]);
  } finally {
    if (timer) clearTimeout(timer);
    if (signal && onAbort) signal.removeEventListener('abort', onAbort);
  }
}
