import { randomBytes } from 'node:crypto';

/** Fixed test keys (not secrets: test data only). */
export const KEY_A = Buffer.alloc(32, 0xa1).toString('base64');
export const KEY_B = Buffer.alloc(32, 0xb2).toString('base64');

/** A fresh random key, base64. */
export function randomKey(): string {
  return randomBytes(32).toString('base64');
}

/** A random high-entropy string: a match in a dump cannot be a coincidence. */
export function highEntropy(prefix = ''): string {
  return `${prefix}${randomBytes(18).toString('hex')}`;
}
