// String.prototype.isWellFormed exists from Node 20, but not in the ES2023
// library typings this workspace compiles with: reach it once, typed.
const nativeIsWellFormed = (String.prototype as unknown as { isWellFormed: (this: string) => boolean }).isWellFormed;

/**
 * Whether `s` is well-formed UTF-16: no lone surrogate (a high surrogate
 * not followed by a low one, or a low one not preceded by a high one).
 * Such a string has no UTF-8 form: PostgreSQL and Firestore would store
 * U+FFFD in its place, so core refuses it instead.
 *
 * @example
 * ```ts
 * isWellFormed('😀'); // true
 * isWellFormed('\ud800'); // false
 * ```
 */
export function isWellFormed(s: string): boolean {
  return nativeIsWellFormed.call(s);
}

/**
 * The issue message for a string that is not well-formed UTF-16.
 *
 * @example
 * ```ts
 * if (!isWellFormed(v)) issues.push({ path, message: `string is ${MALFORMED_STRING}` });
 * ```
 */
export const MALFORMED_STRING = 'not well-formed UTF-16 (it holds a lone surrogate, which has no UTF-8 form and would be stored as U+FFFD)';
