import { ValidationError } from '../errors.js';

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3,
};

/**
 * A size in bytes from a number (bytes) or a string with a unit: `'64MiB'`,
 * `'512KiB'`, `'1GiB'` (powers of 1024) or `'10MB'`, `'500kB'` (powers of
 * 1000), `'100B'`. Units are case-insensitive; the result is a whole number.
 *
 * @example
 * ```ts
 * parseSize('64MiB'); // 67108864
 * parseSize(4096);    // 4096
 * ```
 */
export function parseSize(value: number | string, path = 'size'): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return value;
  } else if (typeof value === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?\s*$/i.exec(value);
    if (m) {
      const bytes = Math.round(Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]!);
      if (Number.isSafeInteger(bytes)) return bytes;
    }
  }
  throw new ValidationError([{ path, message: `expected bytes or a size like "64MiB", "512KiB", "10MB" (got ${typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value})` }], { context: 'size' });
}
