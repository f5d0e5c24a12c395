import { durationOption, integerOption } from '../config/option-rules.js';
import { checkOptionKeys, optionKeys } from '../config/option-keys.js';

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

/**
 * Fill in and check retry settings; ConfigError names the bad key.
 *
 * @example
 * ```ts
 * resolveRetryOptions({ maxRetries: 5, maxDelay: '2s' }, 'postgres.retry'); // { maxRetries: 5, initialDelayMs: 50, maxDelayMs: 2000 }
 * ```
 */
export function resolveRetryOptions(options: RetryOptions | undefined, path = 'retry'): ResolvedRetryOptions {
  checkOptionKeys(options, path, optionKeys<RetryOptions>({ maxRetries: true, initialDelay: true, maxDelay: true }));
  const o = options ?? {};
  const initialDelayMs = durationOption(o.initialDelay, `${path}.initialDelay`, { min: 0, max: 60_000 }) ?? 50;
  return {
    maxRetries: integerOption(o.maxRetries, `${path}.maxRetries`, { min: 0, max: 100 }) ?? 3,
    initialDelayMs,
    maxDelayMs: Math.max(initialDelayMs, durationOption(o.maxDelay, `${path}.maxDelay`, { min: 0, max: 600_000 }) ?? 1000),
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
  checkOptionKeys(options, path, optionKeys<BreakerOptions>({ failures: true, halfOpenAfter: true }));
  const o = options ?? {};
  return {
    failures: integerOption(o.failures, `${path}.failures`, { min: 1, max: 10_000 }) ?? defaults.failures,
    halfOpenAfterMs: durationOption(o.halfOpenAfter, `${path}.halfOpenAfter`, { min: 1, max: 3_600_000 }) ?? defaults.halfOpenAfterMs,
  };
}
