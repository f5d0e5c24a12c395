import { createCipheriv, createDecipheriv, randomFillSync, type KeyObject } from 'node:crypto';
import { NONCE_BYTES, TAG_BYTES } from './ciphertext-format.js';

// Nonces come from a pool of CSPRNG output, refilled every 1024 nonces:
// one randomFillSync call costs ~10 µs here, as much as the cipher itself.
// Each slice is handed out once, so nonces never repeat within a process
// (beyond the 2^-96 chance of the generator itself).
const POOL_NONCES = 1024;
const pool = Buffer.allocUnsafeSlow(POOL_NONCES * NONCE_BYTES);
let poolAt = pool.length;

function nextNonce(out: Buffer, at: number): void {
  if (poolAt >= pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  pool.copy(out, at, poolAt, poolAt + NONCE_BYTES);
  // Wipe the used slice so a nonce cannot be read back out of the pool.
  pool.fill(0, poolAt, poolAt + NONCE_BYTES);
  poolAt += NONCE_BYTES;
}

/**
 * Encrypt with AES-256-GCM into one buffer laid out as
 * `header || nonce || tag || body`, with `aad` authenticated (the caller puts
 * the header into `aad`). The nonce is 96 random bits.
 *
 * @example
 * ```ts
 * const out = gcmSeal(key, headerFor('k1'), aad, plaintext);
 * ```
 */
export function gcmSeal(key: KeyObject | Buffer, header: Buffer, aad: Buffer, plaintext: Uint8Array, nonce?: Buffer): Buffer {
  const out = Buffer.allocUnsafe(header.length + NONCE_BYTES + TAG_BYTES + plaintext.length);
  header.copy(out, 0);
  const nonceAt = header.length;
  if (nonce) nonce.copy(out, nonceAt, 0, NONCE_BYTES);
  else nextNonce(out, nonceAt);
  const iv = out.subarray(nonceAt, nonceAt + NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const bodyAt = nonceAt + NONCE_BYTES + TAG_BYTES;
  let n = cipher.update(plaintext).copy(out, bodyAt);
  n += cipher.final().copy(out, bodyAt + n);
  cipher.getAuthTag().copy(out, nonceAt + NONCE_BYTES);
  return out;
}

/**
 * Decrypt and authenticate AES-256-GCM. Throws (an OpenSSL error) when the
 * tag does not verify; callers turn that into an IntegrityError.
 *
 * @example
 * ```ts
 * const plain = gcmOpen(key, parts.nonce, parts.tag, aad, parts.body);
 * ```
 */
export function gcmOpen(key: KeyObject | Buffer, nonce: Uint8Array, tag: Uint8Array, aad: Uint8Array, body: Uint8Array): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const head = decipher.update(body);
  const tail = decipher.final();
  return tail.length ? Buffer.concat([head, tail]) : head;
}
