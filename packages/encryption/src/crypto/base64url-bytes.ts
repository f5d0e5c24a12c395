/** The base64url alphabet as bytes, indexed by 6-bit value. */
const ALPHABET = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', 'latin1');

/**
 * Characters of the unpadded base64url text of `n` bytes.
 *
 * @example
 * ```ts
 * base64urlLength(16); // 22
 * ```
 */
export function base64urlLength(n: number): number {
  return Math.ceil((n * 4) / 3);
}

/**
 * Write the unpadded base64url text of the first `n` bytes of a latin1
 * string (a digest as `crypto.hash(..., 'binary')` returns it) into `into`
 * from `at`, one byte a character; returns the offset after the last one.
 * The same characters as `Buffer.from(bytes, 'latin1').toString('base64url',
 * 0, n)`, without the Buffer and the native calls in between: on the hot
 * paths (blind indexes, row authenticators) those cost more than the loop.
 * A RangeError when `bytes` is shorter than `n` or `into` has no room.
 *
 * @example
 * ```ts
 * const digest = createHash('sha256').update('hello').digest('latin1');
 * const out = Buffer.alloc(3 + base64urlLength(16));
 * out.write('a1.', 0, 'latin1');
 * writeBase64url(digest, 16, out, 3); // 25: out is 'a1.' and 22 characters
 * ```
 */
export function writeBase64url(bytes: string, n: number, into: Uint8Array, at: number): number {
  if (!(n >= 0 && n <= bytes.length && at >= 0 && at + base64urlLength(n) <= into.length)) {
    throw new RangeError(`writeBase64url: ${n} bytes from a string of ${bytes.length} do not fit ${into.length} bytes from offset ${at}`);
  }
  let o = at;
  let i = 0;
  for (; i + 3 <= n; i += 3) {
    const w = (bytes.charCodeAt(i) << 16) | (bytes.charCodeAt(i + 1) << 8) | bytes.charCodeAt(i + 2);
    into[o++] = ALPHABET[w >>> 18]!;
    into[o++] = ALPHABET[(w >>> 12) & 63]!;
    into[o++] = ALPHABET[(w >>> 6) & 63]!;
    into[o++] = ALPHABET[w & 63]!;
  }
  if (n - i === 1) {
    const b = bytes.charCodeAt(i);
    into[o++] = ALPHABET[b >>> 2]!;
    into[o++] = ALPHABET[(b & 3) << 4]!;
  } else if (n - i === 2) {
    const w = (bytes.charCodeAt(i) << 8) | bytes.charCodeAt(i + 1);
    into[o++] = ALPHABET[w >>> 10]!;
    into[o++] = ALPHABET[(w >>> 4) & 63]!;
    into[o++] = ALPHABET[(w & 15) << 2]!;
  }
  return o;
}
