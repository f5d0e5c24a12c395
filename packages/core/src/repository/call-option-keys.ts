import { ValidationError } from '../errors.js';
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

/** Methods whose options may also hold `include` (taken out before the check). */
const TAKES_INCLUDE = new Set<string>(['get', 'getMany']);
