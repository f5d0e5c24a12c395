import { ValidationError } from '../errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A duration in milliseconds from a number (ms) or a string like `'500ms'`,
 * `'30s'`, `'2m'`, `'1h'`, `'1.5s'`.
 *
 * @example
 * ```ts
 * parseDuration('30s'); // 30000
 * parseDuration(250);   // 250
 * ```
 */
export function parseDuration(value: number | string, path = 'duration'): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
  } else if (typeof value === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(value);
    if (m) return Math.round(Number(m[1]) * UNITS[m[2] ?? 'ms']!);
  }
  throw new ValidationError([{ path, message: `expected milliseconds or a duration like "30s", "500ms", "2m" (got ${typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value})` }], { context: 'duration' });
}

/**
 * The longest delay a Node.js timer keeps (2^31 - 1 ms, about 24.8 days):
 * a longer one fires after 1 ms instead. Every duration chatcore waits on
 * (call and transaction timeouts, plugin timer options) is bounded by it.
 *
 * @example
 * ```ts
 * durationOption('150ms', 'cache.redisTimeout', { min: 1, max: MAX_TIMER_MS }); // 150
 * ```
 */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * A timeout in milliseconds, as parseDuration reads it, refused with
 * ValidationError past MAX_TIMER_MS (Node.js would fire it after 1 ms).
 *
 * @example
 * ```ts
 * parseTimeout('30s', 'timeout'); // 30000
 * parseTimeout('30d', 'timeout'); // throws ValidationError: at most 2147483647 ms
 * ```
 */
export function parseTimeout(value: number | string, path = 'timeout'): number {
  const ms = parseDuration(value, path);
  if (ms <= MAX_TIMER_MS) return ms;
  throw new ValidationError([{ path, message: `at most ${MAX_TIMER_MS} ms (about 24.8 days, the longest timer Node.js keeps; got ${ms} ms). Leave it out for no timeout` }], { context: 'duration' });
}
