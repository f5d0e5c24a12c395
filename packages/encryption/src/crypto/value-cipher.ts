import type { KeyObject } from 'node:crypto';
import { IntegrityError, KeyError } from '@chatcore/core';
import type { Keyring } from '../keys/keyring.js';
import { gcmOpen, gcmSeal } from './aes-gcm.js';
import { buildAad, contextBytes } from './aad.js';
import { NONCE_BYTES, TAG_BYTES, headerFor, parseCiphertext } from './ciphertext-format.js';

/**
 * Encrypts and decrypts the byte payloads of one storage slot (a field, or a
 * record envelope) of one repository. Everything that does not depend on
 * the record is computed once: the AAD prefix, the header per key id, the
 * subkey per key id.
 *
 * @example
 * ```ts
 * const c = new ValueCipher(ring, 'users', 'email');
 * const text = c.seal(plainBytes, id);
 * const back = c.open(text, id);
 * ```
 */
export class ValueCipher {
  private readonly prefix: Buffer;
  private readonly keys = new Map<string, { key: KeyObject; header: Buffer }>();

  constructor(
    private readonly ring: Keyring,
    readonly repository: string,
    readonly field: string,
  ) {
    this.prefix = contextBytes([repository, field]);
  }

  /** Derive the active key's subkey now (at connect), not on the first write. */
  warm(): void {
    this.slot(this.ring.activeKeyId);
  }

  /** Encrypt under the active key, bound to `recordId` (and `suffix`, e.g. the sealed field list); returns base64url text. */
  seal(plaintext: Uint8Array, recordId: string, suffix?: Buffer): string {
    return this.sealBytes(plaintext, recordId, suffix).toString('base64url');
  }

  /** Like `seal`, returning the binary ciphertext. */
  sealBytes(plaintext: Uint8Array, recordId: string, suffix?: Buffer): Buffer {
    const { key, header } = this.slot(this.ring.activeKeyId);
    return gcmSeal(key, header, buildAad(header, this.prefix, recordId, suffix), plaintext);
  }

  /**
   * Decrypt and authenticate stored text. Any mismatch (other row, other
   * field, flipped byte, truncated text) raises IntegrityError naming the
   * field and key id; an unknown key id raises KeyError.
   */
  open(text: unknown, recordId: string, suffix?: Buffer): Buffer {
    if (typeof text !== 'string') {
      throw new IntegrityError(`The stored value of ${this.repository}.${this.field} (record ${recordId}) is not ciphertext text. Restore it from a backup.`, { repository: this.repository, field: this.field, id: recordId });
    }
    return this.openBytes(Buffer.from(text, 'base64url'), recordId, suffix);
  }

  /** Like `open`, from the binary ciphertext. */
  openBytes(bytes: Buffer, recordId: string, suffix?: Buffer): Buffer {
    // Fast path: most values are under the active key, whose header bytes are known.
    const active = this.slot(this.ring.activeKeyId);
    const hl = active.header.length;
    let key: KeyObject, header: Buffer, nonce: Buffer, tag: Buffer, body: Buffer, keyId: string;
    if (bytes.length >= hl + NONCE_BYTES + TAG_BYTES && bytes.compare(active.header, 0, hl, 0, hl) === 0) {
      key = active.key;
      keyId = this.ring.activeKeyId;
      header = bytes.subarray(0, hl);
      nonce = bytes.subarray(hl, hl + NONCE_BYTES);
      tag = bytes.subarray(hl + NONCE_BYTES, hl + NONCE_BYTES + TAG_BYTES);
      body = bytes.subarray(hl + NONCE_BYTES + TAG_BYTES);
    } else {
      const parts = parseCiphertext(bytes, `value of ${this.repository}.${this.field}`);
      ({ header, nonce, tag, body, keyId } = parts);
      try {
        key = this.slot(keyId).key;
      } catch (error) {
        if (!(error instanceof KeyError)) throw error;
        throw new KeyError(
          `The ${this.repository}.${this.field} value of record ${recordId} was written under key ${keyId}, which is not in the keyring: add it to keys (it can be decrypt-only).`,
          { keyId, repository: this.repository, field: this.field, id: recordId },
        );
      }
    }
    try {
      return gcmOpen(key, nonce, tag, buildAad(header, this.prefix, recordId, suffix), body);
    } catch (cause) {
      throw new IntegrityError(
        `The ciphertext of ${this.repository}.${this.field} (record ${recordId}, key ${keyId}) failed authentication: it was altered, or copied from another record or field. Restore it from a backup.`,
        { repository: this.repository, field: this.field, id: recordId, keyId },
        cause,
      );
    }
  }

  private slot(keyId: string): { key: KeyObject; header: Buffer } {
    let s = this.keys.get(keyId);
    if (!s) {
      s = { key: this.ring.encryptionKey(keyId, this.repository, this.field), header: headerFor(keyId) };
      this.keys.set(keyId, s);
    }
    return s;
  }

  /** The key id new ciphertext is written under. */
  activeKeyId(): string {
    return this.ring.activeKeyId;
  }

  /** Forget cached subkeys of a key (after it was retired). */
  forget(keyId: string): void {
    this.keys.delete(keyId);
  }
}
