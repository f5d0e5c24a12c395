import { createHmac, type KeyObject } from 'node:crypto';
import type { FieldMeta, SearchNormalization } from '@chatcore/core/plugin';
import { encodeTransient } from './plaintext-codec.js';

/**
 * Bytes of HMAC-SHA256 kept in a blind index (128 bits: no practical
 * collisions, so unique constraints hold); 22 base64url characters.
 *
 * @example
 * ```ts
 * Buffer.from(row.emailBidx, 'base64url').length === BLIND_INDEX_BYTES; // true
 * ```
 */
export const BLIND_INDEX_BYTES = 16;

/**
 * Normalise a searchable value before hashing, so that lookups match the
 * way users type: `trim` strips surrounding whitespace, `caseFold` lowercases
 * (Unicode-aware, after NFKC so that equivalent forms match).
 *
 * @example
 * ```ts
 * normalizeForIndex('  Ada@Example.com ', { trim: true, caseFold: true }); // 'ada@example.com'
 * ```
 */
export function normalizeForIndex(value: unknown, normalize: SearchNormalization | undefined): unknown {
  if (typeof value !== 'string' || !normalize) return value;
  let s = value;
  if (normalize.trim) s = s.trim();
  if (normalize.caseFold) s = s.normalize('NFKC').toLowerCase();
  return s;
}

/**
 * The blind index of a value: HMAC-SHA256 under the field's index key over
 * the typed encoding of the normalised value, truncated to 16 bytes, as
 * base64url (22 characters). Null stays null.
 *
 * @example
 * ```ts
 * const bidx = blindIndex(indexKey, meta, 'ada@example.com'); // 'q3V...'
 * ```
 */
export function blindIndex(key: KeyObject | Buffer, meta: FieldMeta, value: unknown, normalize?: SearchNormalization): string | null {
  if (value === null || value === undefined) return null;
  const plain = encodeTransient(normalizeForIndex(value, normalize), meta.type, meta.items);
  return createHmac('sha256', key).update(plain).digest().toString('base64url', 0, BLIND_INDEX_BYTES);
}
