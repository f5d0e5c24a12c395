import * as crypto from 'node:crypto';

type OneShot = (algorithm: string, data: string, encoding: 'hex') => string;
// crypto.hash exists from Node 20.12 / 21.7; earlier 20.x fall back to a Hash object.
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

/**
 * SHA-256 of a string (UTF-8), hex. Uses the one-shot `crypto.hash` where
 * Node has it: no Hash object per call, which the chain would otherwise
 * allocate (and the garbage collector finalize) once per event.
 *
 * @example
 * ```ts
 * sha256Hex(prevHash + canonicalJson(event)); // '9f86d081…'
 * ```
 */
export const sha256Hex: (text: string) => string = typeof oneShot === 'function'
  ? (text) => oneShot('sha256', text, 'hex')
  : (text) => crypto.createHash('sha256').update(text).digest('hex');
