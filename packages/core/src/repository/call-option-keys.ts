import { ValidationError } from '../errors.js';
import { describe } from './validate-value.js';
import type { MethodName } from '../plugin/operation.js';

/** The keys of CallOptions (and CallerContext): every method takes them. */
const BASE = ['signal', 'timeout', 'cache', 'traceId', 'actor', 'tenant'] as const;

/** What each method takes beyond BASE (include is taken out of a read's options before they get here). */
const EXTRA: Partial<Record<MethodName, readonly string[]>> = {
  update: ['expectedVersion'],
  delete: ['expectedVersion'],
  upsert: ['conflict', 'update'],
  iterate: ['pageSize'],
};

/**
 * The option keys each method of one database takes: core's, and those its
 * plugins declare in `callOptions`. Built once per database.
 *
 * @example
 * ```ts
 * const keys = new CallOptionKeys([{ name: 'reasons', callOptions: ['reason'] }]);
 * keys.check('delete', { reason: 'gdpr', expectedVersion: 2 }); // fine
 * keys.check('update', { expectedversion: 3 }); // throws ValidationError naming options.expectedversion
 * ```
 */
export class CallOptionKeys {
  readonly #byMethod = new Map<string, ReadonlySet<string>>();
  readonly #plugins: readonly string[];

  constructor(plugins: ReadonlyArray<{ readonly callOptions?: readonly string[] }>) {
    this.#plugins = [...new Set(plugins.flatMap((p) => p.callOptions ?? []))];
  }

  /**
   * Refuse, with ValidationError naming it, an option `method` does not
   * take. Options built in a variable (or in JavaScript) escape tsc's
   * excess-property check, and an ignored option is a silent bug: a misspelt
   * `expectedVersion` drops optimistic locking, `get(id, { select })` returns
   * the whole record. Nothing has run when it throws. `read`: the call only
   * reads, so the refusal says nothing of writes.
   */
  check(method: MethodName, options: object, read = false): void {
    const allowed = this.#allowed(method);
    for (const key in options) {
      if (!allowed.has(key)) {
        throw new ValidationError(
          [{ path: `options.${key}`, message: `${method}() takes no option ${JSON.stringify(key)}; its options are ${[...allowed, ...(TAKES_INCLUDE.has(method) ? ['include'] : [])].join(', ')}` }],
          { context: 'options', read },
        );
      }
      const problem = callOptionValueProblem(key, (options as Record<string, unknown>)[key]);
      if (problem !== undefined) throw new ValidationError([{ path: `options.${key}`, message: problem }], { context: 'options', read });
    }
  }

  #allowed(method: MethodName): ReadonlySet<string> {
    let set = this.#byMethod.get(method);
    if (set === undefined) {
      set = new Set([...BASE, ...(EXTRA[method] ?? []), ...this.#plugins]);
      this.#byMethod.set(method, set);
    }
    return set;
  }
}

/**
 * What is wrong with the value of a core call option (`signal`, `traceId`,
 * `actor`, `tenant`, `cache`), or undefined when it is fine or not one of
 * them (`timeout` and `expectedVersion` are checked where they are read).
 * A value of the wrong type would otherwise fail half way: a `signal` that
 * is not an AbortSignal threw a TypeError after the write had been sent.
 *
 * @example
 * ```ts
 * callOptionValueProblem('signal', 5); // 'expected an AbortSignal, got a number'
 * callOptionValueProblem('actor', 'user:42'); // undefined
 * ```
 */
export function callOptionValueProblem(key: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  switch (key) {
    case 'signal':
      return isAbortSignal(value) ? undefined : `expected an AbortSignal, got ${describe(value)}`;
    case 'traceId':
    case 'actor':
    case 'tenant':
      return typeof value === 'string' ? undefined : `expected a string, got ${describe(value)}`;
    case 'cache':
      if (value === false) return undefined;
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const other = Object.keys(value).find((k) => k !== 'ttl');
        return other === undefined ? undefined : `cache takes only ttl, not ${JSON.stringify(other)}`;
      }
      return `expected false (bypass the cache) or { ttl }, got ${describe(value)}`;
    default:
      return undefined;
  }
}

/** An AbortSignal, also one of another realm or polyfill (what withDeadline uses of it). */
function isAbortSignal(value: unknown): value is AbortSignal {
  if (value instanceof AbortSignal) return true;
  const v = value as { aborted?: unknown; addEventListener?: unknown; removeEventListener?: unknown } | null;
  return typeof v === 'object' && v !== null && typeof v.aborted === 'boolean' && typeof v.addEventListener === 'function' && typeof v.removeEventListener === 'function';
}

/** Methods whose options may also hold `include` (taken out before the check). */
const TAKES_INCLUDE = new Set<string>(['get', 'getMany']);
