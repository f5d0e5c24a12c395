/** Lowest PBKDF2 iteration count accepted for passphrases. */
export const MIN_PBKDF2_ITERATIONS_VALUE = 600_000;
