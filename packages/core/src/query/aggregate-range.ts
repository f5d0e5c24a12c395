import { DriverError } from '../errors.js';
import type { AggregateMeasure } from './aggregate.js';

/**
 * The error of a read whose sum or average of a `number` field leaves the
 * range of a double (beyond about ±1.8e308). Every backend raises it
 * instead of returning Infinity: memory and Firestore when the result is
 * not finite, SQL when the database reports the overflow (SQLSTATE 22003).
 * `measures` are the measures that may have overflowed (SQL cannot tell
 * which of several); the message names them, never a value.
 *
 * @example
 * ```ts
 * const amounts = [1e308, 1e308];
 * const total = amounts.reduce((a, b) => a + b, 0); // Infinity
 * if (!Number.isFinite(total)) throw aggregateOutOfRange([{ fn: 'sum', field: 'amount' }]);
 * ```
 */
export function aggregateOutOfRange(measures: readonly AggregateMeasure[], options: { readonly cause?: unknown; readonly sqlState?: string } = {}): DriverError {
  const names = measures.map((m) => `the ${m.fn === 'avg' ? 'average' : m.fn} of ${m.field ?? 'records'}`);
  const what = names.length ? names.join(' or ') : 'a sum or average';
  return new DriverError(
    `${what.charAt(0).toUpperCase()}${what.slice(1)} over the matching records is out of range of a double; nothing was returned. Narrow the filter, or store the values scaled down.`,
    {
      cause: options.cause,
      info: { reason: 'out-of-range', measures: measures.map((m) => `${m.fn}(${m.field ?? '*'})`), ...(options.sqlState ? { sqlState: options.sqlState } : {}) },
    },
  );
}
