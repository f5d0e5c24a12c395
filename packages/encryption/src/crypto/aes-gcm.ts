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
  // A byte loop: for 12 bytes it is cheaper than copy() plus fill().
  for (let i = 0; i < NONCE_BYTES; i++) {
    out[at + i] = pool[poolAt + i]!;
    // Wipe the used byte so a nonce cannot be read back out of the pool.
    pool[poolAt + i] = 0;
  }
  poolAt += NONCE_BYTES;
}

const GCM_OPTIONS = { authTagLength: TAG_BYTES } as const;
// The IV handed to the cipher: a fixed buffer (createCipheriv copies it), so no view per value.
const iv = Buffer.allocUnsafeSlow(NONCE_BYTES);

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
  gcmSealInto(key, aad, plaintext, out, header.length, nonce);
  return out;
}

/**
 * Like `gcmSeal`, writing `nonce || tag || body` into `out` at `at` (the
 * caller has written the header before it, and sized `out` to hold
 * `at + 28 + plaintext.length` bytes). Returns the end offset.
 *
 * @example
 * ```ts
 * const end = gcmSealInto(key, aad, plaintext, out, header.length);
 * const text = out.toString('base64url', 0, end);
 * ```
 */
export function gcmSealInto(key: KeyObject | Buffer, aad: Uint8Array, plaintext: Uint8Array, out: Buffer, at: number, nonce?: Buffer): number {
  if (nonce) nonce.copy(out, at, 0, NONCE_BYTES);
  else nextNonce(out, at);
  for (let i = 0; i < NONCE_BYTES; i++) iv[i] = out[at + i]!;
  const cipher = createCipheriv('aes-256-gcm', key, iv, GCM_OPTIONS);
  cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  cipher.final(); // GCM is a stream mode: final() outputs nothing; it computes the tag
  out.set(cipher.getAuthTag(), at + NONCE_BYTES);
  out.set(body, at + NONCE_BYTES + TAG_BYTES);
  return at + NONCE_BYTES + TAG_BYTES + body.length;
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
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, GCM_OPTIONS);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const plain = decipher.update(body);
  decipher.final(); // verifies the tag (throws when it does not match); GCM outputs nothing here
  return plain;
}
