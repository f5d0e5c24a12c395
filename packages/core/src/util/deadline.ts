import { AbortedError, TimeoutError } from '../errors.js';

interface DeadlineOptions {
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
  readonly what?: string;
  /** performance.now() when the call's clock started (default: now). */
  readonly startedAt?: number | undefined;
}

function timeoutError(what: string | undefined, timeoutMs: number): TimeoutError {
  return new TimeoutError(`${what ?? 'The operation'} did not finish within ${timeoutMs} ms. Raise the timeout, or check the backend's load; a write may still complete.`, { info: { timeoutMs } });
}

/**
 * The time left of a call's `timeoutMs` that started at `startedAt` (a
 * performance.now() reading); undefined without a timeout.
 *
 * @example
 * ```ts
 * const left = remainingMs(5000, performance.now() - 2000); // about 3000
 * ```
 */
export function remainingMs(timeoutMs: number | undefined, startedAt: number | undefined): number | undefined {
  if (!timeoutMs || startedAt === undefined) return timeoutMs;
  return timeoutMs - (performance.now() - startedAt);
}

/**
 * The error a call past its deadline fails with at once: an AbortedError
 * when the caller's signal fired, a TimeoutError when `timeoutMs` since
 * `startedAt` has passed; undefined while the call has time left.
 *
 * @example
 * ```ts
 * const late = deadlineError({ timeoutMs: 200, startedAt: performance.now() - 300, what: 'notes.updateMany' }); // a TimeoutError
 * ```
 */
export function deadlineError(options: DeadlineOptions): TimeoutError | AbortedError | undefined {
  const { signal, timeoutMs } = options;
  if (signal?.aborted) return new AbortedError({ cause: signal.reason });
  if (timeoutMs && remainingMs(timeoutMs, options.startedAt)! <= 0) return timeoutError(options.what, timeoutMs);
  return undefined;
}

/**
 * Race `work` against the caller's signal and a timeout. The driver also
 * receives the signal so it can cancel server-side; this guarantees the
 * caller is released on time even when it cannot. The signal given to
 * `work` aborts at the moment the caller is released, with the very error
 * the caller gets (a TimeoutError or an AbortedError) as its reason.
 * `startedAt` (a performance.now() reading): when the call's clock started,
 * for a call that ran before (a run core makes again): only what is left of
 * `timeoutMs` remains, and a call past it fails at once.
 *
 * @example
 * ```ts
 * await withDeadline((signal) => driver.query(schema, q, { signal }), { timeoutMs: 2000 });
 * ```
 */
export function withDeadline<T>(
  work: (signal: AbortSignal | undefined) => Promise<T>,
  options: DeadlineOptions,
): Promise<T> {
  // No deadline: the work's own promise, without an async frame around it (every call's path).
  if (!options.signal && !options.timeoutMs) return work(undefined);
  return raceDeadline(work, options);
}

async function raceDeadline<T>(
  work: (signal: AbortSignal | undefined) => Promise<T>,
  options: DeadlineOptions,
): Promise<T> {
  const { signal, timeoutMs } = options;
  const late = deadlineError(options);
  if (late) throw late;
  const leftMs = remainingMs(timeoutMs, options.startedAt);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    if (timeoutMs) {
      timer = setTimeout(() => {
        const err = timeoutError(options.what, timeoutMs);
        controller.abort(err);
        reject(err);
      }, leftMs);
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
