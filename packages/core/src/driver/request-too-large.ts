import { UnsupportedQueryError } from '../errors.js';

/**
 * The `info.limit` of the UnsupportedQueryError a driver raises when the
 * backend refuses a request whole for its size, nothing of it written (a
 * Firestore transaction sends all its writes in one request). Core
 * recognises it on the implicit transaction a plugin asks for around a
 * write (`needsTransaction`): the transaction is rolled back, and the write
 * runs again without it. Raise it only when nothing was written.
 *
 * @example
 * ```ts
 * throw new UnsupportedQueryError('The transaction is too large; nothing of it was written.', {
 *   info: { backend: 'mydb', limit: REQUEST_BYTES_LIMIT, bytes: 12_000_000, maxBytes: 10_485_760 },
 * });
 * ```
 */
export const REQUEST_BYTES_LIMIT = 'requestBytes';

/**
 * Whether `error` is a driver's refusal of a request for its size, nothing
 * written: an UnsupportedQueryError with `info.limit` REQUEST_BYTES_LIMIT.
 *
 * @example
 * ```ts
 * const refused = new UnsupportedQueryError('Too large; nothing was written.', { info: { limit: REQUEST_BYTES_LIMIT } });
 * isRequestTooLarge(refused); // true
 * isRequestTooLarge(new UnsupportedQueryError('No offset on this backend.')); // false
 * ```
 */
export function isRequestTooLarge(error: unknown): error is UnsupportedQueryError {
  return error instanceof UnsupportedQueryError && error.info.limit === REQUEST_BYTES_LIMIT;
}
