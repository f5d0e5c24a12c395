/**
 * Why key bytes cannot be random, or undefined when nothing is wrong:
 * all zero, one byte repeated, or a short pattern (fewer distinct byte
 * values than half the length, at most 16). Random bytes of 16 or more
 * pass with overwhelming probability (for 32 bytes, fewer than 16
 * distinct values happens with a chance below 10^-13). The answer never
 * contains the bytes.
 *
 * @example
 * ```ts
 * keyWeakness(Buffer.alloc(32)); // 'is all zero bytes'
 * keyWeakness(randomBytes(32));  // undefined
 * ```
 */
export function keyWeakness(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return 'is empty';
  const seen = new Set<number>(bytes);
  if (seen.size === 1) return bytes[0] === 0 ? 'is all zero bytes' : 'is one byte value repeated';
  const floor = Math.min(16, Math.floor(bytes.length / 2));
  if (seen.size < floor) return `repeats a short pattern (only ${seen.size} distinct byte values in ${bytes.length})`;
  return undefined;
}

/**
 * Whether two keys have the same bytes (checked at start-up only, on keys
 * the process already holds, so timing does not matter).
 *
 * @example
 * ```ts
 * if (sameKeyBytes(indexRoot, root)) throw new ConfigError('...');
 * ```
 */
export function sameKeyBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}
