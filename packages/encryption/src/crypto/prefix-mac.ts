import type { KeyObject } from 'node:crypto';
import { ScratchBuffer } from './scratch-buffer.js';
import { sha256Latin1 } from './sha256.js';

/** SHA-256 block size: the key fills exactly the first block. */
const BLOCK = 64;
/** A message buffer that grew past this is dropped after use (one huge record must not stay resident). */
const MAX_RESIDENT = 256 * 1024;

/**
 * A keyed SHA-256 in one hash call: `SHA-256(K ‖ message)` with K a secret
 * of exactly one block (64 bytes), so that hashing starts from a secret
 * chaining value (the cascade/NMAC construction). Sound only for what its
 * caller guarantees: messages from a prefix-free encoding (no valid message
 * followed by SHA-256's padding begins another) and a truncated result,
 * either of which rules out length extension; the row authenticator does
 * both; HMAC's inner hash is this with the key `K ⊕ ipad` (OneShotHmac
 * uses it so). Half the calls of HMAC, which hashes twice: the per-call
 * cost of node:crypto, not the hashing, is most of a short MAC's price.
 * The key lives in a private buffer (never printed), zeroed by `wipe()`.
 * Synchronous use only: the message buffer is shared by calls.
 *
 * @example
 * ```ts
 * const mac = new PrefixMac(ring.rowAuthKey('users'));
 * const buf = mac.message(PrefixMac.MESSAGE_AT + 5);
 * buf.write('5:hello', PrefixMac.MESSAGE_AT, 'latin1');
 * mac.digestLatin1(PrefixMac.MESSAGE_AT + 7); // 32 bytes, one character each
 * ```
 */
export class PrefixMac {
  /** Where the message starts in the buffer `message()` returns. */
  static readonly MESSAGE_AT = BLOCK;
  readonly #key: Buffer = Buffer.allocUnsafeSlow(BLOCK);
  readonly #buf = new ScratchBuffer(1024);

  constructor(key: KeyObject | Buffer) {
    const k = Buffer.isBuffer(key) ? key : key.export();
    if (k.length !== BLOCK) {
      if (!Buffer.isBuffer(key)) k.fill(0);
      throw new RangeError(`PrefixMac needs a key of exactly ${BLOCK} bytes, got ${k.length}.`);
    }
    k.copy(this.#key);
    if (!Buffer.isBuffer(key)) k.fill(0);
    this.#key.copy(this.#buf.bytes, 0);
  }

  /**
   * The message buffer, able to hold `end` bytes in all; the message goes
   * from MESSAGE_AT on (the key is before it). Bytes before `keep` are
   * carried over when it grows.
   */
  message(end: number, keep = BLOCK): Buffer {
    return this.#buf.ensure(end, Math.max(keep, BLOCK));
  }

  /** SHA-256 of the key and the message in `[MESSAGE_AT, end)`, as a 32-character latin1 string. */
  digestLatin1(end: number): string {
    const digest = sha256Latin1(this.#buf.view(0, end));
    if (this.#buf.bytes.length > MAX_RESIDENT) {
      this.#buf.release(MAX_RESIDENT);
      this.#key.copy(this.#buf.bytes, 0);
    }
    return digest;
  }

  /** Zero the key and the message buffer (at close). */
  wipe(): void {
    this.#key.fill(0);
    this.#buf.bytes.fill(0);
  }
}
