// The options of db.transaction() and tx.transaction(), checked before
// anything runs, as a repository call's options are.
import { ValidationError } from '../errors.js';
import type { IsolationLevel } from '../driver/capabilities.js';
import { callOptionValueProblem } from '../repository/call-option-keys.js';
import type { TransactionCallOptions } from './database-api.js';

const KEYS: ReadonlySet<string> = new Set(['isolation', 'signal', 'timeout', 'traceId', 'actor', 'tenant']);
const LEVELS: ReadonlySet<string> = new Set<IsolationLevel>(['read committed', 'repeatable read', 'serializable']);

/**
 * The options of a transaction call, or a ValidationError naming what is
 * wrong. An option that is ignored is a silent bug: a misspelt `isolaton`,
 * or a level written `'Serializable'`, ran the transaction at the backend's
 * default level; a `signal` that is not an AbortSignal failed with a
 * TypeError while the transaction went on and committed. `undefined` and
 * `null` mean no options. `timeout` is parsed where it is used.
 *
 * @example
 * ```ts
 * checkTransactionOptions({ isolation: 'serializable', timeout: '5s' }, 'transaction'); // returns them
 * checkTransactionOptions({ isolaton: 'serializable' }, 'transaction'); // ValidationError at options.isolaton
 * ```
 */
export function checkTransactionOptions(options: unknown, method: string): TransactionCallOptions {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new ValidationError([{ path: 'options', message: `${method}() takes an options object ({ isolation, timeout, signal, traceId, actor, tenant }), got ${Array.isArray(options) ? 'an array' : `a ${typeof options}`}` }], { context: 'options' });
  }
  const issues: { path: string; message: string }[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (!KEYS.has(key)) {
      issues.push({ path: `options.${key}`, message: `${method}() takes no option ${JSON.stringify(key)}; its options are ${[...KEYS].join(', ')}` });
    } else if (key === 'isolation') {
      if (value !== undefined && !LEVELS.has(value as string)) {
        issues.push({ path: 'options.isolation', message: `expected one of ${[...LEVELS].map((l) => `'${l}'`).join(', ')}, got ${typeof value === 'string' ? JSON.stringify(value) : `a ${typeof value}`}` });
      }
    } else {
      const problem = callOptionValueProblem(key, value);
      if (problem !== undefined) issues.push({ path: `options.${key}`, message: problem });
    }
  }
  if (issues.length > 0) throw new ValidationError(issues, { context: 'options' });
  return options as TransactionCallOptions;
}
