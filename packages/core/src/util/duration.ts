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
