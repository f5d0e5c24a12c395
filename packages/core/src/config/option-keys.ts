import { ConfigError, type ConfigProblem } from '../errors.js';
import { closestName, kindOf } from './config-checker.js';

// Programmatic options get the check the YAML loader gives a section: a key
// the factory does not know is refused, never ignored. An ignored key is a
// setting silently not applied (a misspelt `sensitiveFields` stores data in
// clear), and an object built in a variable or in JavaScript escapes tsc.

/**
 * Refuse the keys of an options object that its factory does not know, with
 * a ConfigError naming each one by path, with a "did you mean" hint when a
 * known key is close (the hint of the YAML loader). Keys that are known but
 * set to `undefined` are allowed. `undefined` options are allowed too;
 * anything else than a map (a string, a list) is refused.
 *
 * @example
 * ```ts
 * const KNOWN = ['redisUrl', 'ttl', 'namespace'];
 * checkOptionKeys({ ttl: '30s' }, 'cache', KNOWN); // fine
 * checkOptionKeys({ url: 'redis://cache:6379' }, 'cache', KNOWN);
 * // ConfigError: Options cache have 1 problem: cache.url: unknown option (did you mean redisUrl?); ...
 * ```
 */
export function checkOptionKeys(options: unknown, path: string, known: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    const problem = { path, message: `expected a map of options, got ${kindOf(options)}` };
    throw new ConfigError(`Options ${path}: ${problem.message}.`, { problems: [problem] });
  }
  const problems: ConfigProblem[] = [];
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const hint = closestName(key, known);
    problems.push({ path: `${path}.${key}`, message: `unknown option${hint ? ` (did you mean ${hint}?)` : ''}; known options: ${known.join(', ')}` });
  }
  if (problems.length === 0) return;
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines = problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n');
  throw new ConfigError(
    `Options ${path} have ${count}:\n${lines}\nAn unknown option would be ignored, so nothing was set up: fix its name (docs/configuration.md lists every option).`,
    { problems },
  );
}

/**
 * The keys of an options type, as a list checked by the compiler against
 * the type: a key missing from `keys` or not in the type fails to compile,
 * so the list given to `checkOptionKeys` follows the interface.
 *
 * @example
 * ```ts
 * interface QueueOptions { capacity?: number; overflow?: 'block' | 'drop' }
 * const QUEUE_KEYS = optionKeys<QueueOptions>({ capacity: true, overflow: true }); // ['capacity', 'overflow']
 * ```
 */
export function optionKeys<T>(keys: { readonly [K in keyof Required<T>]: true }): readonly string[] {
  return Object.freeze(Object.keys(keys));
}
