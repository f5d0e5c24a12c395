import type { KeyObject } from 'node:crypto';
import type { FieldMeta, SearchNormalization } from '@chatcore/core/plugin';
import { encodeTransient, TAG } from './plaintext-codec.js';
import { OneShotHmac } from './one-shot-hmac.js';
import { base64urlLength, writeBase64url } from './base64url-bytes.js';

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

const AT = OneShotHmac.MESSAGE_AT;

/**
 * The blind indexes of one searchable field: HMAC-SHA256 under the field's
 * index key over the typed encoding of the normalised value, truncated to
 * 16 bytes, as base64url (22 characters). Byte-identical to
 * `createHmac('sha256', key).update(encodeValue(value)).digest()` cut to 16
 * bytes (the indexes already stored keep matching), at well under half its
 * CPU: the HMAC is a OneShotHmac, whose padded keys live in its private
 * fields (never printed) and are zeroed by `wipe()` at close. Synchronous
 * use only: the message buffer is reused by every call.
 *
 * @example
 * ```ts
 * const index = new BlindIndexer(ring.indexKey('users', 'email'));
 * index.of(meta, ' Ada@Example.com', { trim: true, caseFold: true }); // 'q3V...' (22 characters)
 * ```
 */
export class BlindIndexer {
  readonly #mac: OneShotHmac;

  constructor(key: KeyObject | Buffer) {
    this.#mac = new OneShotHmac(key);
  }

  /** The blind index of a value of the field (`meta` its type); null and undefined give null. */
  of(meta: FieldMeta, value: unknown, normalize?: SearchNormalization): string | null {
    if (value === null || value === undefined) return null;
    const v = normalizeForIndex(value, normalize);
    const type = meta.type;
    if (type === 'string' || type === 'text' || type === 'enum' || type === 'id') {
      // The typed encoding (tag, utf8) written straight into the MAC's buffer: no copy.
      const s = typeof v === 'string' ? v : String(v);
      const buf = this.#mac.message(AT + 1 + s.length * 3);
      buf[AT] = TAG.string;
      return encodeIndex(this.#mac.digestLatin1(AT + 1 + buf.write(s, AT + 1, 'utf8')));
    }
    const plain = encodeTransient(v, type, meta.items);
    plain.copy(this.#mac.message(AT + plain.length), AT);
    return encodeIndex(this.#mac.digestLatin1(AT + plain.length));
  }

  /** Zero the key material (at close); indexes computed afterwards match nothing. */
  wipe(): void {
    this.#mac.wipe();
  }
}

/** Characters of a blind index: 22. */
const INDEX_LENGTH = base64urlLength(BLIND_INDEX_BYTES);
/** The index text is written here, then read out as one latin1 string (synchronous use only). */
const text = Buffer.allocUnsafeSlow(INDEX_LENGTH);

/**
 * The base64url text of the first BLIND_INDEX_BYTES bytes of a latin1
 * digest (what `toString('base64url', 0, 16)` gives, without a Buffer per call).
 */
function encodeIndex(digest: string): string {
  writeBase64url(digest, BLIND_INDEX_BYTES, text, 0);
  return text.toString('latin1', 0, INDEX_LENGTH);
}
