import type { KeyObject } from 'node:crypto';
import { IntegrityError, KeyError } from '@chatcore/core';
import type { Keyring } from '../keys/keyring.js';
import { gcmOpen, gcmSeal, gcmSealInto } from './aes-gcm.js';
import { RecordAad, buildAad, contextBytes } from './aad.js';
import { NONCE_BYTES, TAG_BYTES, headerFor, parseCiphertext } from './ciphertext-format.js';
import { ScratchBuffer } from './scratch-buffer.js';
import { RepositoryCounters, type KeyCounters } from '../encryption-stats.js';

interface KeySlot {
  readonly key: KeyObject;
  readonly header: Buffer;
  readonly aad: RecordAad;
  /** This key's counters in the repository's stats (incremented in place). */
  readonly counts: KeyCounters;
}

// Shared by every ValueCipher: each use is synchronous and ends before the next.
const decoded = new ScratchBuffer(1024);
const sealed = new ScratchBuffer(1024);
const nonceCopy = Buffer.allocUnsafeSlow(NONCE_BYTES);
const tagCopy = Buffer.allocUnsafeSlow(TAG_BYTES);
/** Values longer than this (in base64url characters) take the allocating path, so the scratch buffers stay small. */
const MAX_SCRATCH_TEXT = 64 * 1024;

/**
 * Encrypts and decrypts the byte payloads of one storage slot (a field, or a
 * record envelope) of one repository. Everything that does not depend on
 * the record is computed once: the AAD prefix, the header per key id, the
 * subkey per key id. Seals and opens are counted per key id in
 * `counters` (the repository's, shared by its fields).
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
  private readonly keys = new Map<string, KeySlot>();
  private active: KeySlot | undefined;
  private activeId: string | undefined;

  constructor(
    private readonly ring: Keyring,
    readonly repository: string,
    readonly field: string,
    private readonly counters: RepositoryCounters = new RepositoryCounters(),
  ) {
    this.prefix = contextBytes([repository, field]);
  }

  /** Derive the active key's subkey now (at connect), not on the first write. */
  warm(): void {
    this.activeSlot();
  }

  /**
   * Encrypt under the active key, bound to `recordId` (and to the row's
   * state, `binding`: see row-binding.ts); returns base64url text.
   */
  seal(plaintext: Uint8Array, recordId: string, binding?: string): string {
    if (plaintext.length > MAX_SCRATCH_TEXT) return this.sealBytes(plaintext, recordId, undefined, binding).toString('base64url');
    // Sealed into a reused buffer and encoded from there.
    const out = sealed.ensure(this.sealedLength(plaintext.length));
    return out.toString('base64url', 0, this.sealInto(out, 0, plaintext, recordId, undefined, binding));
  }

  /** Bytes that `sealInto` writes for a plaintext of `length` bytes. */
  sealedLength(length: number): number {
    return this.activeSlot().header.length + NONCE_BYTES + TAG_BYTES + length;
  }

  /**
   * Like `sealBytes`, writing the binary ciphertext into `out` at `at` (sized
   * by the caller with `sealedLength`); returns the end offset.
   */
  sealInto(out: Buffer, at: number, plaintext: Uint8Array, recordId: string, suffix?: Buffer, binding?: string): number {
    const { key, header, aad, counts } = this.activeSlot();
    header.copy(out, at);
    const end = gcmSealInto(key, suffix ? buildAad(header, this.prefix, recordId, suffix, binding) : aad.of(recordId, binding), plaintext, out, at + header.length);
    counts.sealed++;
    return end;
  }

  /** Like `seal`, returning the binary ciphertext; `suffix` (e.g. the sealed field list) follows the id in the AAD. */
  sealBytes(plaintext: Uint8Array, recordId: string, suffix?: Buffer, binding?: string): Buffer {
    const { key, header, aad, counts } = this.activeSlot();
    const out = gcmSeal(key, header, suffix ? buildAad(header, this.prefix, recordId, suffix, binding) : aad.of(recordId, binding), plaintext);
    counts.sealed++;
    return out;
  }

  /**
   * Decrypt and authenticate stored text. Any mismatch (other row, other
   * field, flipped byte, truncated text) raises IntegrityError naming the
   * field and key id; an unknown key id raises KeyError. A value sealed
   * with a row binding opens only with the same binding.
   */
  open(text: unknown, recordId: string, binding?: string): Buffer {
    if (typeof text !== 'string') {
      throw new IntegrityError(`The stored value of ${this.repository}.${this.field} (record ${recordId}) is not ciphertext text. Restore it from a backup.`, { info: { repository: this.repository, field: this.field, id: recordId } });
    }
    if (text.length > MAX_SCRATCH_TEXT) return this.openBytes(Buffer.from(text, 'base64url'), recordId, undefined, binding);
    // Field values under the active key: decoded into a reused buffer, nonce
    // and tag copied into fixed ones, so the only allocations left are the
    // cipher's own. Anything else takes the general path below.
    const s = this.activeSlot();
    const hl = s.header.length;
    const bytes = decoded.ensure(Math.ceil((text.length * 3) / 4));
    const n = bytes.write(text, 0, 'base64url');
    // Under another key id (rotation), or malformed: the general path, from the bytes already decoded.
    if (n < hl + NONCE_BYTES + TAG_BYTES || !startsWith(bytes, s.header)) return this.openBytes(decoded.view(0, n), recordId, undefined, binding);
    for (let i = 0; i < NONCE_BYTES; i++) nonceCopy[i] = bytes[hl + i]!;
    for (let i = 0; i < TAG_BYTES; i++) tagCopy[i] = bytes[hl + NONCE_BYTES + i]!;
    let plain: Buffer;
    try {
      plain = gcmOpen(s.key, nonceCopy, tagCopy, s.aad.of(recordId, binding), decoded.view(hl + NONCE_BYTES + TAG_BYTES, n));
    } catch (cause) {
      throw this.failed(recordId, this.activeId!, cause, binding);
    }
    s.counts.opened++;
    return plain;
  }

  /** Like `open`, from the binary ciphertext; `suffix` as in `sealBytes`. */
  openBytes(bytes: Buffer, recordId: string, suffix?: Buffer, binding?: string): Buffer {
    // Fast path: most values are under the active key, whose header bytes are known.
    const active = this.activeSlot();
    const hl = active.header.length;
    let slot: KeySlot, nonce: Buffer, tag: Buffer, body: Buffer, keyId: string;
    if (bytes.length >= hl + NONCE_BYTES + TAG_BYTES && startsWith(bytes, active.header)) {
      slot = active;
      keyId = this.activeId!;
      nonce = bytes.subarray(hl, hl + NONCE_BYTES);
      tag = bytes.subarray(hl + NONCE_BYTES, hl + NONCE_BYTES + TAG_BYTES);
      body = bytes.subarray(hl + NONCE_BYTES + TAG_BYTES);
    } else {
      const parts = parseCiphertext(bytes, `value of ${this.repository}.${this.field}`);
      ({ nonce, tag, body, keyId } = parts);
      try {
        slot = this.slot(keyId);
      } catch (error) {
        if (!(error instanceof KeyError)) throw error;
        throw new KeyError(`The ${this.repository}.${this.field} value of record ${recordId} was written under key ${keyId}, which is not in the keyring: add it to keys (it can be decrypt-only).`, { info: { keyId, repository: this.repository, field: this.field, id: recordId } });
      }
    }
    // The header is part of the AAD; it equals the slot's header (same key id, same format bytes).
    const aad = suffix ? buildAad(slot.header, this.prefix, recordId, suffix, binding) : slot.aad.of(recordId, binding);
    let plain: Buffer;
    try {
      plain = gcmOpen(slot.key, nonce, tag, aad, body);
    } catch (cause) {
      throw this.failed(recordId, keyId, cause, binding);
    }
    slot.counts.opened++;
    return plain;
  }

  private failed(recordId: string, keyId: string, cause: unknown, binding: string | undefined): IntegrityError {
    if (binding !== undefined) {
      // Bound to the row's state: an older value of this very field and record fails here too, and nothing tells the cases apart.
      return new IntegrityError(`Record ${recordId} of ${this.repository} does not match its row authenticator: the value of ${this.repository}.${this.field} (key ${keyId}) was altered, copied from another record or field, or written back from an earlier state of the record (restore it from a backup), or key ${keyId} is configured with other material than it was written with (check that key's secret).`, { info: { repository: this.repository, field: this.field, id: recordId, keyId }, cause });
    }
    return new IntegrityError(`The ciphertext of ${this.repository}.${this.field} (record ${recordId}, key ${keyId}) failed authentication: it was altered or copied from another record or field (restore it from a backup), or key ${keyId} is configured with other material than it was written with (check that key's secret).`, { info: { repository: this.repository, field: this.field, id: recordId, keyId }, cause });
  }

  private activeSlot(): KeySlot {
    const id = this.ring.activeKeyId;
    if (id !== this.activeId || !this.active) {
      this.active = this.slot(id);
      this.activeId = id;
    }
    return this.active;
  }

  private slot(keyId: string): KeySlot {
    let s = this.keys.get(keyId);
    if (!s) {
      const header = headerFor(keyId);
      s = { key: this.ring.encryptionKey(keyId, this.repository, this.field), header, aad: new RecordAad(header, this.prefix), counts: this.counters.forKey(keyId) };
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
    if (keyId === this.activeId) this.active = this.activeId = undefined;
  }
}

function startsWith(bytes: Buffer, header: Buffer): boolean {
  for (let i = 0; i < header.length; i++) if (bytes[i] !== header[i]) return false;
  return true;
}
