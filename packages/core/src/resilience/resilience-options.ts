import { ConfigError } from '../errors.js';
import { parseDuration } from '../util/duration.js';

/**
 * Retry settings, the one shape every backend and plugin speaks: how many
 * times a transient failure is retried, with exponential backoff and jitter
 * between attempts. Durations are ms or strings like `'50ms'`, `'1s'`. Which
 * calls are retried at all is the driver's decision (reads, and writes only
 * where a retry cannot apply them twice). YAML: `{ max_retries, initial_delay, max_delay }`.
 *
 * @example
 * ```ts
 * const retry: RetryOptions = { maxRetries: 3, initialDelay: '50ms', maxDelay: '1s' };
 * ```
 */
export interface RetryOptions {
  /** Retries after the first attempt (default 3). */
  readonly maxRetries?: number | undefined;
  /** First backoff delay (default 50 ms); later delays grow exponentially, with jitter. */
  readonly initialDelay?: number | string | undefined;
  /** Largest backoff delay (default 1 s). */
  readonly maxDelay?: number | string | undefined;
}

/**
 * Circuit-breaker settings, the one shape every backend and plugin speaks:
 * after `failures` consecutive failures the breaker opens and calls fail
 * fast; after `halfOpenAfter` (ms or a string like `'2s'`) one probe call is
 * let through, and its success closes it. YAML: `{ failures, half_open_after }`.
 *
 * @example
 * ```ts
 * const breaker: BreakerOptions = { failures: 5, halfOpenAfter: '2s' };
 * ```
 */
export interface BreakerOptions {
  /** Consecutive failures that open the breaker (default 5). */
  readonly failures?: number | undefined;
  /** How long the breaker stays open before a probe call (default: the component's, 2 s for postgres). */
  readonly halfOpenAfter?: number | string | undefined;
}

/**
 * Retry settings with every default filled in, durations in ms.
 *
 * @example
 * ```ts
 * const r: ResolvedRetryOptions = resolveRetryOptions({}); // { maxRetries: 3, initialDelayMs: 50, maxDelayMs: 1000 }
 * ```
 */
export interface ResolvedRetryOptions {
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}
/**
 * Breaker settings with every default filled in, durations in ms.
 *
 * @example
 * ```ts
 * const b: ResolvedBreakerOptions = resolveBreakerOptions({}); // { failures: 5, halfOpenAfterMs: 2000 }
 * ```
 */
export interface ResolvedBreakerOptions {
  readonly failures: number;
  readonly halfOpenAfterMs: number;
}

function fail(path: string, expected: string, value: unknown): never {
  throw new ConfigError(`${path} must be ${expected} (got ${String(value).slice(0, 40)}).`, { problems: [{ path, message: `expected ${expected}` }] });
}

function count(value: number | undefined, fallback: number, path: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) fail(path, `an integer between ${min} and ${max}`, value);
  return value;
}

function duration(value: number | string | undefined, fallback: number, path: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  let ms: number;
  try {
    ms = parseDuration(value, path);
  } catch {
    return fail(path, `a duration (ms, or like "50ms", "2s") between ${min} and ${max} ms`, value);
  }
  if (ms < min || ms > max) fail(path, `a duration between ${min} and ${max} ms`, value);
  return ms;
}

/**
 * Fill in and check retry settings; ConfigError names the bad key.
 *
 * @example
 * ```ts
 * resolveRetryOptions({ maxRetries: 5, maxDelay: '2s' }, 'postgres.retry'); // { maxRetries: 5, initialDelayMs: 50, maxDelayMs: 2000 }
 * ```
 */
export function resolveRetryOptions(options: RetryOptions | undefined, path = 'retry'): ResolvedRetryOptions {
  const o = options ?? {};
  const initialDelayMs = duration(o.initialDelay, 50, `${path}.initialDelay`, 0, 60_000);
  return {
    maxRetries: count(o.maxRetries, 3, `${path}.maxRetries`, 0, 100),
    initialDelayMs,
    maxDelayMs: Math.max(initialDelayMs, duration(o.maxDelay, 1000, `${path}.maxDelay`, 0, 600_000)),
  };
}

/**
 * Fill in and check breaker settings; ConfigError names the bad key.
 * `defaults` are the component's own (the cache half-opens after 1 s).
 *
 * @example
 * ```ts
 * resolveBreakerOptions({ failures: 3 }, 'postgres.breaker'); // { failures: 3, halfOpenAfterMs: 2000 }
 * ```
 */
export function resolveBreakerOptions(
  options: BreakerOptions | undefined,
  path = 'breaker',
  defaults: ResolvedBreakerOptions = { failures: 5, halfOpenAfterMs: 2000 },
): ResolvedBreakerOptions {
  const o = options ?? {};
  return {
    failures: count(o.failures, defaults.failures, `${path}.failures`, 1, 10_000),
    halfOpenAfterMs: duration(o.halfOpenAfter, defaults.halfOpenAfterMs, `${path}.halfOpenAfter`, 1, 3_600_000),
  };
}
