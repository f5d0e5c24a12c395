/**
 * scrypt parameters for `secret()` fields: cost `N` (a power of two), block
 * size `r`, parallelism `p`, and the hash length in bytes.
 *
 * @example
 * ```ts
 * const params: ScryptParams = { N: 2 ** 14, r: 8, p: 5, keyLength: 32 };
 * ```
 */
export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly keyLength: number;
}

/**
 * The parameters new hashes use: one of OWASP's equivalent minimum rows for
 * scrypt (N=2^14, r=8, p=5: 16 MiB), 32-byte hash. The rows cost the same
 * work on paper; on a 2-core server here this one took 136 ms of CPU per
 * hash against 643 ms for N=2^17, p=1, whose 128 MiB overflow the caches.
 *
 * @example
 * ```ts
 * console.log(DEFAULT_SCRYPT); // { N: 16384, r: 8, p: 5, keyLength: 32 }
 * ```
 */
export const DEFAULT_SCRYPT: ScryptParams = Object.freeze({ N: 2 ** 14, r: 8, p: 5, keyLength: 32 });

/**
 * What a stored hash may ask for. The floor is the work of chatcore's
 * earlier default (N=2^15, r=8, p=1), so every hash chatcore ever wrote
 * verifies and is rehashed with DEFAULT_SCRYPT on its next success; a hash
 * below it (N=2 verifies in microseconds) was not written by chatcore and
 * is refused. The ceiling keeps a planted hash (N=2^30) from taking a
 * terabyte of memory or minutes of CPU: refused before any work.
 */
const POLICY = Object.freeze({
  /** N·r·p, proportional to the CPU work. */
  minWork: 2 ** 15 * 8,
  maxWork: 2 ** 17 * 8 * 8,
  /** N·r; scrypt needs 128·N·r bytes (so 8 MiB to 256 MiB). */
  minBlocks: 2 ** 13 * 8,
  maxBlocks: 2 ** 21,
  minBytes: 16,
  maxBytes: 64,
});

/**
 * Why `params` (with the stored salt and hash lengths) are outside the
 * accepted range, or undefined when they are inside.
 *
 * @example
 * ```ts
 * scryptPolicyViolation({ N: 2, r: 8, p: 1, keyLength: 32 }, 16); // 'below the minimum work (N·r·p ≥ 262144)'
 * ```
 */
export function scryptPolicyViolation(params: ScryptParams, saltLength: number): string | undefined {
  const { N, r, p, keyLength } = params;
  if (![N, r, p].every((n) => Number.isSafeInteger(n) && n >= 1) || N < 2 || (N & (N - 1)) !== 0) return 'not valid scrypt parameters (N a power of two, r and p positive integers)';
  if (N * r * p < POLICY.minWork) return `below the minimum work (N·r·p ≥ ${POLICY.minWork})`;
  if (N * r < POLICY.minBlocks) return `below the minimum memory (N·r ≥ ${POLICY.minBlocks})`;
  if (N * r * p > POLICY.maxWork) return `above the maximum work (N·r·p ≤ ${POLICY.maxWork})`;
  if (N * r > POLICY.maxBlocks) return `above the maximum memory (N·r ≤ ${POLICY.maxBlocks}, 256 MiB)`;
  for (const [what, n] of [['salt', saltLength], ['hash', keyLength]] as const) {
    if (n < POLICY.minBytes || n > POLICY.maxBytes) return `a ${what} of ${n} bytes (${POLICY.minBytes} to ${POLICY.maxBytes} accepted)`;
  }
  return undefined;
}

/**
 * scrypt's memory limit for `params`: Node's default (32 MiB) is below
 * DEFAULT_SCRYPT's 128 MiB, so it is always set explicitly.
 *
 * @example
 * ```ts
 * scryptSync(secret, salt, 32, { N, r, p, maxmem: scryptMaxmem(params) });
 * ```
 */
export function scryptMaxmem(params: ScryptParams): number {
  return 128 * params.r * (params.N + params.p + 2) + 1024 * 1024;
}
