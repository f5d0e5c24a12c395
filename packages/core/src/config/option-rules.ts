import { ConfigError, type ValidationIssue } from '../errors.js';
import { parseDuration } from '../util/duration.js';
import { parseSize } from '../util/size.js';
import { kindOf } from './config-checker.js';

// The value rules of plugin and driver options, written once. The YAML
// builders (`c.integer()`, `c.duration()`, `c.size()`) read through the same
// rules, so an option checked in TypeScript and its key in chatcore.yaml
// accept the same values and explain a refusal in the same words.

/**
 * Inclusive bounds of a numeric option: a count, or milliseconds for a
 * duration, or bytes for a size.
 *
 * @example
 * ```ts
 * const bounds: OptionBounds = { min: 1, max: 10_000 };
 * ```
 */
export interface OptionBounds {
  readonly min?: number | undefined;
  readonly max?: number | undefined;
}

/** What a rule expects, when the value broke it (an `expected ...` phrase). */
export interface RuleBroken {
  readonly expected: string;
}

/** ` between 1 and 10`, ` >= 1`, ` <= 10` or ''. */
export function boundsPhrase(bounds: OptionBounds, unit = ''): string {
  const { min, max } = bounds;
  if (min !== undefined && max !== undefined) return ` between ${min} and ${max}${unit}`;
  if (min !== undefined) return ` >= ${min}${unit}`;
  if (max !== undefined) return ` <= ${max}${unit}`;
  return '';
}

const inBounds = (n: number, { min, max }: OptionBounds): boolean => (min === undefined || n >= min) && (max === undefined || n <= max);

/** The integer rule: a safe integer within the bounds. */
export function integerRule(value: unknown, bounds: OptionBounds = {}): number | RuleBroken {
  if (typeof value === 'number' && Number.isSafeInteger(value) && inBounds(value, bounds)) return value;
  return { expected: `an integer${boundsPhrase(bounds)}` };
}

/** A rule over a parser of a unit ("30s" to ms, "64MiB" to bytes), checking the bounds in that unit. */
function unitRule(parse: (value: number | string) => number, noun: string, unit: string, forms: string): (value: unknown, bounds?: OptionBounds) => number | RuleBroken {
  return (value: unknown, bounds: OptionBounds = {}): number | RuleBroken => {
    let n: number;
    try {
      n = parse(value as number | string);
    } catch {
      return { expected: `${noun} in ${unit === 'ms' ? 'milliseconds' : unit} or like ${forms}` };
    }
    return inBounds(n, bounds) ? n : { expected: `${noun}${boundsPhrase(bounds, ` ${unit}`)}` };
  };
}

/** The duration rule: ms, or a string like "30s", within the bounds (in ms). */
export const durationRule = unitRule(parseDuration, 'a duration', 'ms', '"30s", "500ms", "2m"');

/** The size rule: bytes, or a string like "64MiB", within the bounds (in bytes). */
export const sizeRule = unitRule(parseSize, 'a size', 'bytes', '"64MiB", "512KiB", "10MB"');

/**
 * A value for a message: its kind, and the value itself only when it is a
 * number or a boolean. Strings are never quoted: a misplaced secret (a key
 * pasted into the wrong option) must not reach a log through an error.
 */
function described(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return `${kindOf(value)} ${String(value)}`;
  return kindOf(value);
}

function refuse(path: string, broken: RuleBroken, value: unknown): never {
  const got = described(value);
  throw new ConfigError(`${path}: expected ${broken.expected}, got ${got}.`, { problems: [{ path, message: `expected ${broken.expected}, got ${got}` }] });
}

function apply(rule: (value: unknown, bounds?: OptionBounds) => number | RuleBroken, value: unknown, path: string, bounds?: OptionBounds): number | undefined {
  if (value === undefined) return undefined;
  const out = rule(value, bounds);
  return typeof out === 'number' ? out : refuse(path, out, value);
}

/**
 * Check an integer option: undefined when unset (so `?? default` supplies the
 * default), the value when it is a whole number within `bounds`, and a
 * ConfigError naming `path` otherwise.
 *
 * @example
 * ```ts
 * const queue: { capacity?: number } = {};
 * const capacity = integerOption(queue.capacity, 'audit.queue.capacity', { min: 1 }) ?? 10_000; // 10000
 * integerOption(0, 'cache.localMaxEntries', { min: 1 }); // ConfigError: cache.localMaxEntries: expected an integer >= 1, got a number 0.
 * ```
 */
export function integerOption(value: unknown, path: string, bounds?: OptionBounds): number | undefined {
  return apply(integerRule, value, path, bounds);
}

/**
 * Check a duration option: milliseconds, or a string like `'250ms'`, `'5s'`,
 * `'2m'`; the result is in ms, undefined when unset, and a ConfigError naming
 * `path` when the value is not a duration or is outside `bounds` (in ms).
 *
 * @example
 * ```ts
 * const ttlMs = durationOption('90s', 'cache.ttl', { min: 0 }) ?? 60_000; // 90000
 * durationOption(undefined, 'postgres.queryTimeout'); // undefined: unset
 * ```
 */
export function durationOption(value: unknown, path: string, bounds?: OptionBounds): number | undefined {
  return apply(durationRule, value, path, bounds);
}

/**
 * Check a size option: bytes, or a string like `'64MiB'`, `'512KiB'`,
 * `'10MB'`; the result is in bytes, undefined when unset, and a ConfigError
 * naming `path` when the value is not a size or is outside `bounds` (bytes).
 *
 * @example
 * ```ts
 * const maxBytes = sizeOption('64MiB', 'cache.localMaxBytes', { min: 1 }) ?? 1024; // 67108864
 * ```
 */
export function sizeOption(value: unknown, path: string, bounds?: OptionBounds): number | undefined {
  return apply(sizeRule, value, path, bounds);
}

/**
 * Check a boolean option: undefined when unset, the value when it is `true`
 * or `false`, and a ConfigError naming `path` otherwise.
 *
 * @example
 * ```ts
 * const activeSpan = booleanOption(undefined, 'metrics.activeSpan') ?? false; // false
 * booleanOption('yes', 'metrics.activeSpan'); // ConfigError: metrics.activeSpan: expected true or false, got a string.
 * ```
 */
export function booleanOption(value: unknown, path: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  return refuse(path, { expected: 'true or false' }, value);
}

/**
 * Run option checks and collect their ConfigError problems instead of
 * stopping at the first, for a driver that reports every bad option at once.
 * Returns the check's result, or `fallback` after recording its problems.
 *
 * @example
 * ```ts
 * const problems: ValidationIssue[] = [];
 * const maxBatchOps = collectOption(problems, () => integerOption(0, 'maxBatchOps', { min: 1 }) ?? 500, 500);
 * problems; // [{ path: 'maxBatchOps', message: 'expected an integer >= 1, got a number 0' }]
 * ```
 */
export function collectOption<T>(problems: ValidationIssue[], check: () => T, fallback: T): T {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
    return fallback;
  }
}
