import { randomFillSync } from 'node:crypto';

/**
 * Prefix of a bound row's authenticator text (format `b1`): the row's
 * values are bound to its state through their own AES-GCM AAD instead of a
 * separate MAC (see RowAuthenticator).
 *
 * @example
 * ```ts
 * String(row.rowAuth).startsWith(BOUND_PREFIX); // a b1 row
 * ```
 */
export const BOUND_PREFIX = 'b1.';

/**
 * 9 random bytes a nonce, 12 base64url characters (9 is a multiple of 3: no
 * padding, no character shared with the next nonce). Under 13 characters a
 * slice of the pool's text is a copy, so no stored authenticator keeps the
 * whole pool's text alive.
 */
const NONCE_BYTES = 9;
const NONCE_CHARS = 12;
/** Nonces drawn per refill of the pool: one random fill and one encoding for many rows. */
const POOL_NONCES = 512;
const pool = Buffer.allocUnsafeSlow(NONCE_BYTES * POOL_NONCES);
let poolText = '';
let next = POOL_NONCES;

/**
 * A fresh authenticator text for a bound row that holds `count` protected
 * values: `b1.<count>.` and 72 random bits (12 base64url characters), new on
 * every write of the row, so that no value sealed for one state of the row
 * opens in another. The count is authenticated by every value's AAD (the
 * whole text is in the binding) and compared with the values the row holds
 * when it is read, so a cleared or an added value is noticed too.
 *
 * @example
 * ```ts
 * const auth = freshRowAuth(2); // 'b1.2.3q2-7wAAAAAz'
 * ```
 */
export function freshRowAuth(count: number): string {
  if (next === POOL_NONCES) {
    poolText = randomFillSync(pool).toString('base64url');
    next = 0;
  }
  const at = next++ * NONCE_CHARS;
  return BOUND_PREFIX + count + '.' + poolText.slice(at, at + NONCE_CHARS);
}

/**
 * The count of values a bound row's authenticator text records, or
 * undefined when the text is malformed.
 *
 * @example
 * ```ts
 * recordedCount('b1.2.3q2-7wAAAAAz'); // 2
 * ```
 */
export function recordedCount(auth: string): number | undefined {
  const dot = auth.indexOf('.', BOUND_PREFIX.length);
  const digits = auth.slice(BOUND_PREFIX.length, dot);
  return dot < 0 || !/^(0|[1-9][0-9]{0,4})$/.test(digits) ? undefined : Number(digits);
}

/**
 * The binding of a bound row's values, appended to each value's AAD: its
 * authenticator text (nonce and count) and its version, joined by `:`,
 * which the text does not contain. A value written back from an earlier
 * state (another nonce or version) fails to open.
 *
 * @example
 * ```ts
 * cipher.seal(bytes, id, rowBinding('b1.2.3q2-7wAAAAAz', 4));
 * ```
 */
export function rowBinding(auth: string, version: unknown): string {
  return auth + ':' + (version === null || version === undefined ? '' : String(version));
}
