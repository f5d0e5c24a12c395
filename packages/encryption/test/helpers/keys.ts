import { createHash, randomBytes } from 'node:crypto';

/** Fixed test keys (not secrets: test data only), random-looking so that the weak-key checks accept them. */
export const KEY_A = createHash('sha256').update('chatcore test key A').digest('base64');
export const KEY_B = createHash('sha256').update('chatcore test key B').digest('base64');

/** A fresh random key, base64. */
export function randomKey(): string {
  return randomBytes(32).toString('base64');
}

/** A random high-entropy string: a match in a dump cannot be a coincidence. */
export function highEntropy(prefix = ''): string {
  return `${prefix}${randomBytes(18).toString('hex')}`;
}
