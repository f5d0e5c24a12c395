/**
 * Why key bytes cannot be random, or undefined when nothing is wrong:
 * all zero, one byte repeated, or a short pattern (fewer distinct byte
 * values than `minDistinct`, by default half the length, at most 16).
 * Random bytes of 16 or more pass with overwhelming probability (for 32
 * bytes, fewer than 16 distinct values happens with a chance below
 * 10^-13). Keys given as text (each byte one of a few dozen characters)
 * pass a lower `minDistinct`, e.g. 8: 64 random hex digits use fewer than
 * 16 symbols about one time in four. The answer never contains the bytes.
 * Shared by the plugins that take keys (encryption, cache).
 *
 * @example
 * ```ts
 * import { randomBytes } from 'node:crypto';
 * import { keyWeakness } from '@chatcore/core/plugin';
 * keyWeakness(Buffer.alloc(32)); // 'is all zero bytes'
 * keyWeakness(randomBytes(32));  // undefined
 * keyWeakness(Buffer.from('changeme'.repeat(4)), 8); // 'repeats a short pattern (only 7 distinct byte values in 32)'
 * ```
 */
export function keyWeakness(bytes: Uint8Array, minDistinct?: number): string | undefined {
  if (bytes.length === 0) return 'is empty';
  const seen = new Set<number>(bytes);
  if (seen.size === 1) return bytes[0] === 0 ? 'is all zero bytes' : 'is one byte value repeated';
  const floor = Math.min(minDistinct ?? 16, Math.floor(bytes.length / 2));
  if (seen.size < floor) return `repeats a short pattern (only ${seen.size} distinct byte values in ${bytes.length})`;
  return undefined;
}

/**
 * Whether two keys have the same bytes (checked at start-up only, on keys
 * the process already holds, so timing does not matter).
 *
 * @example
 * ```ts
 * import { randomBytes } from 'node:crypto';
 * import { sameKeyBytes } from '@chatcore/core/plugin';
 * const root = randomBytes(32);
 * sameKeyBytes(root, Buffer.from(root)); // true: refuse a second key with the same bytes
 * ```
 */
export function sameKeyBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}
