import * as crypto from 'node:crypto';

type OneShot = (algorithm: string, data: Uint8Array, encoding: 'binary') => string;
// crypto.hash exists from Node 20.12 / 21.7; earlier 20.x fall back to a Hash object (same bytes, slower).
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

/**
 * SHA-256 of a byte range as a 32-character latin1 ('binary') string, one
 * character a byte: a single `crypto.hash` call, whose result is cheaper to
 * read with `charCodeAt` than a Buffer is to allocate and collect.
 *
 * @example
 * ```ts
 * const digest = sha256Latin1(Buffer.from('abc'));
 * digest.charCodeAt(0); // 0xba
 * ```
 */
export const sha256Latin1: (data: Uint8Array) => string = typeof oneShot === 'function'
  ? (data) => oneShot('sha256', data, 'binary')
  : (data) => crypto.createHash('sha256').update(data).digest('binary');
