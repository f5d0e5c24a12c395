import { ConfigError } from '../errors.js';

/**
 * Retry settings shared by drivers: how many times a transient failure is
 * retried, with exponential backoff and jitter between attempts. Which calls
 * are retried at all is the driver's decision (reads, and writes only where
 * a retry cannot apply them twice).
 *
 * @example
 * ```ts
 * const retry: RetryOptions = { maxRetries: 3, initialDelayMs: 50, maxDelayMs: 1000 };
 * ```
 */
export interface RetryOptions {
  /** Retries after the first attempt (default 3). */
  readonly maxRetries?: number | undefined;
  /** First backoff delay in ms (default 50); later delays grow exponentially, with jitter. */
  readonly initialDelayMs?: number | undefined;
  /** Largest backoff delay in ms (default 1000). */
  readonly maxDelayMs?: number | undefined;
}

/**
 * Circuit-breaker settings shared by drivers: after `threshold` consecutive
 * connection failures the breaker opens and calls fail fast; after
 * `halfOpenAfterMs` one probe call is let through, and its success closes it.
 *
 * @example
 * ```ts
 * const breaker: BreakerOptions = { threshold: 5, halfOpenAfterMs: 2000 };
 * ```
 */
export interface BreakerOptions {
  /** Consecutive connection failures that open the breaker (default 5). */
  readonly threshold?: number | undefined;
  /** How long the breaker stays open before a probe call (default 2000 ms). */
  readonly halfOpenAfterMs?: number | undefined;
}

/**
 * Retry settings with every default filled in.
 *
 * @example
 * ```ts
 * const r: ResolvedRetryOptions = resolveRetryOptions({});
 * ```
 */
export type ResolvedRetryOptions = { readonly [K in keyof RetryOptions]-?: number };
/**
 * Breaker settings with every default filled in.
 *
 * @example
 * ```ts
 * const b: ResolvedBreakerOptions = resolveBreakerOptions({});
 * ```
 */
export type ResolvedBreakerOptions = { readonly [K in keyof BreakerOptions]-?: number };

function check(value: number | undefined, fallback: number, path: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(`${path} must be a number between ${min} and ${max} (got ${String(value).slice(0, 40)}).`, { problems: [{ path, message: `expected ${min}..${max}` }] });
  }
  return value;
}

/**
 * Fill in and check retry settings; ConfigError names the bad key.
 *
 * @example
 * ```ts
 * resolveRetryOptions({ maxRetries: 5 }, 'postgres.retry'); // { maxRetries: 5, initialDelayMs: 50, maxDelayMs: 1000 }
 * ```
 */
export function resolveRetryOptions(options: RetryOptions | undefined, path = 'retry'): ResolvedRetryOptions {
  const o = options ?? {};
  const initialDelayMs = check(o.initialDelayMs, 50, `${path}.initialDelayMs`, 0, 60_000);
  return {
    maxRetries: Math.floor(check(o.maxRetries, 3, `${path}.maxRetries`, 0, 100)),
    initialDelayMs,
    maxDelayMs: Math.max(initialDelayMs, check(o.maxDelayMs, 1000, `${path}.maxDelayMs`, 0, 600_000)),
  };
}

/**
 * Fill in and check breaker settings; ConfigError names the bad key.
 *
 * @example
 * ```ts
 * resolveBreakerOptions({ threshold: 3 }, 'postgres.breaker'); // { threshold: 3, halfOpenAfterMs: 2000 }
 * ```
 */
export function resolveBreakerOptions(options: BreakerOptions | undefined, path = 'breaker'): ResolvedBreakerOptions {
  const o = options ?? {};
  return {
    threshold: Math.floor(check(o.threshold, 5, `${path}.threshold`, 1, 10_000)),
    halfOpenAfterMs: check(o.halfOpenAfterMs, 2000, `${path}.halfOpenAfterMs`, 1, 3_600_000),
  };
}
