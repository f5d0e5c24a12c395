/**
 * Lowest PBKDF2 iteration count accepted for passphrases.
 *
 * @example
 * ```ts
 * if (iterations < MIN_PBKDF2_ITERATIONS_VALUE) throw new Error('too few');
 * ```
 */
export const MIN_PBKDF2_ITERATIONS_VALUE = 600_000;
