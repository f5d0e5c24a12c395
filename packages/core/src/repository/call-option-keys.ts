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

const ALLOWED = new Map<string, ReadonlySet<string>>();

function allowedOf(method: MethodName): ReadonlySet<string> {
  let set = ALLOWED.get(method);
  if (set === undefined) {
    set = new Set([...BASE, ...(EXTRA[method] ?? [])]);
    ALLOWED.set(method, set);
  }
  return set;
}

/**
 * Refuse, with ValidationError naming it, an option a repository method does
 * not take. Options built in a variable (or in JavaScript) escape tsc's
 * excess-property check, and an ignored option is a silent bug: a misspelt
 * `expectedVersion` drops optimistic locking, `get(id, { select })` returns
 * the whole record. Nothing has run when it throws.
 *
 * @example
 * ```ts
 * checkCallOptions('update', { expectedVersion: 3, actor: 'user:42' }); // fine
 * checkCallOptions('update', { expectedversion: 3 });                   // throws ValidationError naming options.expectedversion
 * ```
 */
export function checkCallOptions(method: MethodName, options: object): void {
  const allowed = allowedOf(method);
  for (const key in options) {
    if (!allowed.has(key)) {
      throw new ValidationError(
        [{ path: `options.${key}`, message: `${method}() takes no option ${JSON.stringify(key)}; its options are ${[...allowed, ...(TAKES_INCLUDE.has(method) ? ['include'] : [])].join(', ')}` }],
        { context: 'options' },
      );
    }
  }
}

/** Methods whose options may also hold `include` (taken out before the check). */
const TAKES_INCLUDE = new Set<string>(['get', 'getMany']);
