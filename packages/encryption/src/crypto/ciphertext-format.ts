import { IntegrityError } from '@chatcore/core';

/**
 * Layout constants of format v1 (docs/encryption.md): version byte,
 * algorithm byte (AES-256-GCM), nonce and tag lengths, longest key id.
 *
 * @example
 * ```ts
 * const bodyAt = 3 + keyId.length + NONCE_BYTES + TAG_BYTES;
 * if (bytes[0] !== FORMAT_V1 || bytes[1] !== ALG_AES_256_GCM) throw new Error('not v1');
 * ```
 */
export const FORMAT_V1 = 0x01;
/**
 * Algorithm byte of AES-256-GCM (12-byte nonce, 16-byte tag); see FORMAT_V1.
 *
 * @example
 * ```ts
 * bytes[1] === ALG_AES_256_GCM
 * ```
 */
export const ALG_AES_256_GCM = 0x01;
/**
 * Nonce length of AES-GCM in bytes; see FORMAT_V1.
 *
 * @example
 * ```ts
 * bytes.subarray(headerEnd, headerEnd + NONCE_BYTES)
 * ```
 */
export const NONCE_BYTES = 12;
/**
 * Authentication tag length in bytes; see FORMAT_V1.
 *
 * @example
 * ```ts
 * bytes.subarray(tagAt, tagAt + TAG_BYTES)
 * ```
 */
export const TAG_BYTES = 16;
/**
 * Longest key id, in bytes.
 *
 * @example
 * ```ts
 * keyId.length <= MAX_KEY_ID_BYTES
 * ```
 */
export const MAX_KEY_ID_BYTES = 64;

const KEY_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Whether a key id may appear in a ciphertext header: 1–64 characters of
 * `A-Z a-z 0-9 . _ -` (ASCII, so its byte length equals its length).
 *
 * @example
 * ```ts
 * isValidKeyId('2026-01'); // true
 * ```
 */
export function isValidKeyId(id: unknown): id is string {
  return typeof id === 'string' && KEY_ID_RE.test(id);
}

/**
 * The parsed parts of a v1 ciphertext. `header` is the byte prefix that is
 * authenticated as part of the AAD (version, algorithm, key id).
 *
 * @example
 * ```ts
 * const parts = parseCiphertext(bytes); console.log(parts.keyId);
 * ```
 */
export interface CiphertextParts {
  readonly version: number;
  readonly algorithm: number;
  readonly keyId: string;
  readonly header: Buffer;
  readonly nonce: Buffer;
  readonly tag: Buffer;
  readonly body: Buffer;
}

/**
 * The header bytes of a v1 ciphertext for a key id:
 * `[version, algorithm, keyIdLength, ...keyId]`.
 *
 * @example
 * ```ts
 * headerFor('k1'); // <Buffer 01 01 02 6b 31>
 * ```
 */
export function headerFor(keyId: string): Buffer {
  const id = Buffer.from(keyId, 'ascii');
  const out = Buffer.allocUnsafe(3 + id.length);
  out[0] = FORMAT_V1;
  out[1] = ALG_AES_256_GCM;
  out[2] = id.length;
  id.copy(out, 3);
  return out;
}

/**
 * Split a binary v1 ciphertext into its parts, checking lengths and the
 * version and algorithm bytes. Errors name the field context only.
 *
 * @example
 * ```ts
 * const { keyId, nonce, tag, body } = parseCiphertext(Buffer.from(text, 'base64url'));
 * ```
 */
export function parseCiphertext(bytes: Buffer, what = 'ciphertext'): CiphertextParts {
  if (bytes.length < 3) throw malformed(what, 'too short');
  const version = bytes[0]!;
  const algorithm = bytes[1]!;
  if (version !== FORMAT_V1) throw malformed(what, `unknown format version ${version}`);
  if (algorithm !== ALG_AES_256_GCM) throw malformed(what, `unknown algorithm ${algorithm}`);
  const idLen = bytes[2]!;
  const headerEnd = 3 + idLen;
  if (idLen === 0 || idLen > MAX_KEY_ID_BYTES || bytes.length < headerEnd + NONCE_BYTES + TAG_BYTES) throw malformed(what, 'truncated');
  const keyId = bytes.toString('latin1', 3, headerEnd);
  if (!KEY_ID_RE.test(keyId)) throw malformed(what, 'invalid key id bytes');
  return {
    version,
    algorithm,
    keyId,
    header: bytes.subarray(0, headerEnd),
    nonce: bytes.subarray(headerEnd, headerEnd + NONCE_BYTES),
    tag: bytes.subarray(headerEnd + NONCE_BYTES, headerEnd + NONCE_BYTES + TAG_BYTES),
    body: bytes.subarray(headerEnd + NONCE_BYTES + TAG_BYTES),
  };
}

/**
 * The key id of a stored ciphertext text, without decrypting (for rotation
 * and key-usage scans). Returns undefined for text that is not a v1 ciphertext.
 *
 * @example
 * ```ts
 * keyIdOf(row.email); // 'k1'
 * ```
 */
export function keyIdOf(text: unknown): string | undefined {
  if (typeof text !== 'string' || text.length < 8) return undefined;
  // Only the first bytes are needed: 3 header bytes + up to 64 key id bytes.
  const head = Buffer.from(text.slice(0, 92), 'base64url');
  if (head[0] !== FORMAT_V1 || head[1] !== ALG_AES_256_GCM) return undefined;
  const idLen = head[2] ?? 0;
  if (idLen === 0 || head.length < 3 + idLen) return undefined;
  const id = head.toString('latin1', 3, 3 + idLen);
  return KEY_ID_RE.test(id) ? id : undefined;
}

/**
 * Whether a stored text is a well-formed v1 ciphertext (base64url, and the
 * layout `parseCiphertext` checks). Shape only: nothing is decrypted, so a
 * true here may still fail to open (another key, altered bytes).
 *
 * @example
 * ```ts
 * isCiphertextText('123-45-6789'); // false
 * ```
 */
export function isCiphertextText(text: unknown): boolean {
  if (typeof text !== 'string' || !BASE64URL_RE.test(text)) return false;
  try {
    parseCiphertext(Buffer.from(text, 'base64url'));
    return true;
  } catch {
    return false;
  }
}

const BASE64URL_RE = /^[A-Za-z0-9_-]+$/;

function malformed(what: string, reason: string): IntegrityError {
  return new IntegrityError(`The stored ${what} is not a valid chatcore ciphertext (${reason}); it was altered or written by something else. Restore it from a backup.`, { info: { reason } });
}
