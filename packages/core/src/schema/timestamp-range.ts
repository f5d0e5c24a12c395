/**
 * The first instant a timestamp field holds: 0001-01-01T00:00:00.000Z.
 * Years 1-9999 (UTC) is Firestore's range, ISO 8601's four-digit years,
 * and within what every SQL backend stores; core refuses anything outside
 * with ValidationError, so no backend sees it.
 *
 * @example
 * ```ts
 * new Date(MIN_TIMESTAMP_MS).toISOString(); // '0001-01-01T00:00:00.000Z'
 * ```
 */
export const MIN_TIMESTAMP_MS = Date.parse('0001-01-01T00:00:00.000Z');

/**
 * The last instant a timestamp field holds: 9999-12-31T23:59:59.999Z.
 *
 * @example
 * ```ts
 * const at = new Date('9999-12-31T23:59:59.999Z');
 * const inRange = at.getTime() <= MAX_TIMESTAMP_MS; // true
 * ```
 */
export const MAX_TIMESTAMP_MS = Date.parse('9999-12-31T23:59:59.999Z');
