import { ConfigError } from '@chatcore/core';
import { isValidKeyId } from '../crypto/ciphertext-format.js';
import { MIN_PBKDF2_ITERATIONS_VALUE } from './constants.js';
import { integerOption, keyWeakness } from '@chatcore/core/plugin';

/**
 * One key of the keyring, as configuration gives it. Exactly one of:
 * - `key`: 32 random bytes, base64 (or base64url) — e.g. `openssl rand -base64 32`;
 * - `passphrase` + `salt` (base64, at least 16 bytes): stretched once per process with PBKDF2-HMAC-SHA256;
 * - `wrappedKey` (base64): unwrapped by the key provider (local KEK or a KMS).
 *
 * @example
 * ```ts
 * const keys: KeySource[] = [{ id: '2026-01', key: process.env.CHATCORE_KEY_2026_01! }];
 * ```
 */
export interface KeySource {
  readonly id: string;
  readonly key?: string | undefined;
  readonly passphrase?: string | undefined;
  readonly salt?: string | undefined;
  /** PBKDF2 iterations (default and minimum 600,000). */
  readonly iterations?: number | undefined;
  readonly wrappedKey?: string | undefined;
}

/**
 * The shortest stored salt a passphrase may have, in bytes (base64 that
 * decodes to this many bytes, or this many characters of text). The
 * `encryption` section of chatcore.yaml and `encryption()` both check it
 * with `passphraseSaltProblem`.
 *
 * @example
 * ```ts
 * import { randomBytes } from 'node:crypto';
 * const salt = randomBytes(MIN_PASSPHRASE_SALT_LENGTH).toString('base64');
 * ```
 */
export const MIN_PASSPHRASE_SALT_LENGTH = 16;

/**
 * The shortest passphrase accepted, in characters.
 *
 * @example
 * ```ts
 * 'correct horse battery staple'.length >= MIN_PASSPHRASE_LENGTH; // true
 * ```
 */
export const MIN_PASSPHRASE_LENGTH = 12;

/**
 * What is wrong with a stored passphrase salt, or undefined when it is
 * long enough. Never quotes the salt.
 *
 * @example
 * ```ts
 * passphraseSaltProblem('short'); // 'a passphrase needs a stored salt of at least 16 bytes ...'
 * ```
 */
export function passphraseSaltProblem(salt: string): string | undefined {
  const bytes = saltBytes(salt);
  if (bytes.length >= MIN_PASSPHRASE_SALT_LENGTH) {
    const weakness = keyWeakness(bytes);
    return weakness ? `the passphrase salt ${weakness}; a constant salt lets one precomputation attack every deployment: use ${MIN_PASSPHRASE_SALT_LENGTH} random bytes in base64 (\`openssl rand -base64 16\`)` : undefined;
  }
  return `a passphrase needs a stored salt of at least ${MIN_PASSPHRASE_SALT_LENGTH} bytes (base64, or ${MIN_PASSPHRASE_SALT_LENGTH}+ characters), e.g. 16 random bytes in base64 (\`openssl rand -base64 16\`); keep it with the configuration: changing it changes the key`;
}

/**
 * What is wrong with a key given as text (32 bytes in base64, base64url or
 * hex), or undefined when it is one. Never quotes the key.
 *
 * @example
 * ```ts
 * keyTextProblem('abc'); // 'decodes to 2 bytes; AES-256 needs exactly 32 ...'
 * ```
 */
export function keyTextProblem(text: unknown): string | undefined {
  if (typeof text === 'string' && /^[0-9a-fA-F]{64}$/.test(text.trim())) return undefined;
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(text.trim())) {
    return 'is not base64 or hex: give 32 random bytes encoded in base64 (e.g. `openssl rand -base64 32`)';
  }
  const bytes = Buffer.from(text.trim().replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length !== 32) return `decodes to ${bytes.length} bytes; AES-256 needs exactly 32 (e.g. \`openssl rand -base64 32\`)`;
  return undefined;
}

/**
 * Decode base64/base64url (or 64 hex digits) key bytes and check the length
 * is 32 and that they can be random (not all zero, not one byte repeated,
 * not a short pattern). Errors name the key id, never the value.
 *
 * @example
 * ```ts
 * const bytes = decodeKeyBytes(process.env.CHATCORE_KEY!, 'k1');
 * ```
 */
export function decodeKeyBytes(text: unknown, keyId: string): Buffer {
  const problem = keyTextProblem(text);
  if (problem) throw new ConfigError(`Key ${keyId} ${problem}.`);
  const t = (text as string).trim();
  return checkStrength(/^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64'), keyId);
}

function checkStrength(bytes: Buffer, keyId: string): Buffer {
  const weakness = keyWeakness(bytes);
  if (weakness) {
    bytes.fill(0);
    throw new ConfigError(`Key ${keyId} ${weakness}: it is not random key material. Generate one with \`openssl rand -base64 32\`.`, { info: { keyId } });
  }
  return bytes;
}

/**
 * Check one key source's shape; returns which kind it is.
 *
 * @example
 * ```ts
 * checkKeySource({ id: 'k1', key }); // 'raw'
 * ```
 */
export function checkKeySource(source: KeySource, index: number): 'raw' | 'passphrase' | 'wrapped' {
  if (!source || typeof source !== 'object') throw new ConfigError(`keys[${index}] must be an object like { id: 'k1', key: '<base64>' }.`);
  if (!isValidKeyId(source.id)) throw new ConfigError(`keys[${index}].id must be 1-64 characters of A-Z a-z 0-9 . _ - (it is written into every ciphertext).`);
  const kinds = [source.key !== undefined, source.passphrase !== undefined, source.wrappedKey !== undefined].filter(Boolean).length;
  if (kinds !== 1) throw new ConfigError(`Key ${source.id}: give exactly one of key, passphrase (with salt) or wrappedKey.`);
  if (source.passphrase !== undefined) {
    if (typeof source.passphrase !== 'string' || source.passphrase.length < MIN_PASSPHRASE_LENGTH) throw new ConfigError(`Key ${source.id}: the passphrase must be a string of at least ${MIN_PASSPHRASE_LENGTH} characters.`);
    const saltProblem = typeof source.salt === 'string' ? passphraseSaltProblem(source.salt) : `a passphrase needs a stored salt of at least ${MIN_PASSPHRASE_SALT_LENGTH} bytes`;
    if (saltProblem) throw new ConfigError(`Key ${source.id}: ${saltProblem}.`);
    const characters = new Set(source.passphrase).size;
    if (characters < 4) throw new ConfigError(`Key ${source.id}: the passphrase uses only ${characters} distinct character${characters === 1 ? '' : 's'}; choose a long random passphrase (or a root key).`, { info: { keyId: source.id } });
    integerOption(source.iterations, `keys[${index}].iterations`, { min: MIN_PBKDF2_ITERATIONS_VALUE });
    return 'passphrase';
  }
  if (source.wrappedKey !== undefined) {
    if (typeof source.wrappedKey !== 'string' || source.wrappedKey.length === 0) throw new ConfigError(`Key ${source.id}: wrappedKey must be base64 text.`);
    return 'wrapped';
  }
  decodeKeyBytes(source.key, source.id);
  return 'raw';
}

/**
 * The bytes of a stored salt: base64 that decodes to 16 bytes or more, or
 * else the UTF-8 bytes of the text.
 *
 * @example
 * ```ts
 * saltBytes('q83vEjRWeJq83vEjRWeJqw=='); // 16 bytes
 * ```
 */
export function saltBytes(text: string): Buffer {
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    const b = Buffer.from(text, 'base64');
    if (b.length >= 16 && b.toString('base64').replace(/=+$/, '') === text.replace(/=+$/, '')) return b;
  }
  return Buffer.from(text, 'utf8');
}
