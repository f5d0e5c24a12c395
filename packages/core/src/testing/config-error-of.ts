import { ConfigError } from '../errors.js';

/**
 * The ConfigError that `fn` throws, for a test to assert on its message and
 * problems. Anything else fails the test: no error at all, or an error of
 * another class (attached as the cause, so the runner shows what went wrong).
 *
 * @example
 * ```ts
 * const error = configErrorOf(() => integerOption(0, 'cache.localMaxEntries', { min: 1 }));
 * error.message; // 'cache.localMaxEntries: expected an integer >= 1, got a number 0.'
 * error.problems[0]?.path; // 'cache.localMaxEntries'
 * ```
 */
export function configErrorOf(fn: () => unknown): ConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  if (caught instanceof ConfigError) return caught;
  if (caught === undefined) throw new Error('expected a ConfigError, but nothing was thrown');
  throw new Error(`expected a ConfigError, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`, { cause: caught });
}
