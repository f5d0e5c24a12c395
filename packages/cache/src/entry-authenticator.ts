import { createHmac, createSecretKey, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { ConfigError } from '@chatcore/core';
import { keyWeakness, SecretValue } from '@chatcore/core/plugin';

/** Every sealed entry starts with this, then 43 characters of MAC and a '.'. */
const PREFIX = 'm1.';
const MAC_CHARS = 43;
const HKDF_SALT = Buffer.from('chatcore-cache-v1');
/** Used when no key is configured: entries still carry a checksum bound to their key (no protection against a forger). */
const UNKEYED = Buffer.from('chatcore-cache-unkeyed-checksum-v1');

/**
 * What `cache({ key })` accepts: 32 or more bytes of secret material (a
 * random string of 32+ characters, or bytes), plain or as a SecretValue.
 *
 * @example
 * ```ts
 * const key: CacheKeyInput = new SecretValue(process.env.CACHE_KEY!);
 * ```
 */
export type CacheKeyInput = string | Uint8Array | SecretValue<string | Uint8Array>;

/** Distinct byte values a key must have: keys are usually text (base64 or hex), so fewer than for random bytes. */
const MIN_DISTINCT = 8;

/**
 * Why a cache key cannot be used, or undefined when it can: shorter than 32
 * bytes (UTF-8 for text), or not random-looking (one byte repeated, a short
 * pattern such as a word repeated). The same rule for `cache({ key })` and
 * the YAML `cache.key`; the answer never contains the key.
 *
 * @example
 * ```ts
 * cacheKeyProblem('changeme'.repeat(4)); // 'repeats a short pattern (...); use random bytes ...'
 * cacheKeyProblem(randomBytes(32).toString('base64')); // undefined
 * ```
 */
export function cacheKeyProblem(key: string | Uint8Array): string | undefined {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  if (bytes.length < 32) return `must be at least 32 bytes (got ${bytes.length}); use e.g. \`openssl rand -base64 32\``;
  const weakness = keyWeakness(bytes, MIN_DISTINCT);
  return weakness ? `${weakness}; use random bytes (e.g. \`openssl rand -base64 32\`)` : undefined;
}

function keyBytes(input: CacheKeyInput): Buffer {
  const v = SecretValue.reveal(input);
  if (typeof v !== 'string' && !(v instanceof Uint8Array)) throw new ConfigError('cache: key must be a string or bytes (32 or more).', { problems: [{ path: 'key', message: 'expected a string or bytes' }] });
  const problem = cacheKeyProblem(v);
  if (problem) throw new ConfigError(`cache: key ${problem}.`, { problems: [{ path: 'key', message: problem }] });
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v);
}

/**
 * Authenticates what the cache keeps in, and reads from, Redis: each
 * shared-tier entry is sealed with an HMAC-SHA256 over its own key, its
 * counter's key and its text (which holds the counter value it was filled
 * under), so an entry moved to another key, edited, or forged without the
 * key fails to open. Bus messages are signed the same way. The subkeys are
 * derived with HKDF from `cache({ key })` and live in KeyObjects; printing
 * the authenticator shows only whether it is keyed.
 *
 * Without a key, entries carry the same checksum under a fixed key: an
 * accidental mix-up is still caught, a forger is not.
 *
 * @example
 * ```ts
 * const auth = new EntryAuthenticator(process.env.CACHE_KEY);
 * const raw = auth.seal(entryKey, counterKey, text);
 * auth.open(entryKey, counterKey, raw); // text, or FORGED / undefined
 * ```
 */
export class EntryAuthenticator {
  /** True when a key was configured (entries are authenticated, not just checksummed). */
  readonly keyed: boolean;
  readonly #entries: KeyObject;
  readonly #messages: KeyObject;

  constructor(key: CacheKeyInput | undefined) {
    const ikm = key === undefined ? UNKEYED : keyBytes(key);
    this.keyed = key !== undefined;
    this.#entries = createSecretKey(Buffer.from(hkdfSync('sha256', ikm, HKDF_SALT, 'entries', 32)));
    this.#messages = createSecretKey(Buffer.from(hkdfSync('sha256', ikm, HKDF_SALT, 'bus', 32)));
    if (key !== undefined) ikm.fill(0);
  }

  private mac(key: KeyObject, ...parts: string[]): string {
    const h = createHmac('sha256', key);
    for (let i = 0; i < parts.length; i++) {
      if (i) h.update('\u0000');
      h.update(parts[i]!);
    }
    return h.digest('base64url');
  }

  /** The stored form of an entry's text. */
  seal(entryKey: string, counterKey: string, text: string): string {
    return `${PREFIX}${this.mac(this.#entries, entryKey, counterKey, text)}.${text}`;
  }

  /**
   * The entry's text when its MAC verifies; FORGED when it does not;
   * undefined when it is not a sealed entry at all (written by an older
   * version: a plain miss).
   */
  open(entryKey: string, counterKey: string, raw: string): string | typeof FORGED | undefined {
    if (!raw.startsWith(PREFIX) || raw.charCodeAt(PREFIX.length + MAC_CHARS) !== 46 /* '.' */) return undefined;
    const text = raw.slice(PREFIX.length + MAC_CHARS + 1);
    const expected = Buffer.from(this.mac(this.#entries, entryKey, counterKey, text));
    const given = Buffer.from(raw.slice(PREFIX.length, PREFIX.length + MAC_CHARS));
    return given.length === expected.length && timingSafeEqual(given, expected) ? text : FORGED;
  }

  /** A bus message with its signature. */
  signMessage(channel: string, json: string): string {
    return `${this.mac(this.#messages, channel, json)}.${json}`;
  }

  /** The JSON of a signed bus message, or undefined when the signature does not verify. */
  verifyMessage(channel: string, raw: string): string | undefined {
    if (raw.charCodeAt(MAC_CHARS) !== 46) return undefined;
    const json = raw.slice(MAC_CHARS + 1);
    const expected = Buffer.from(this.mac(this.#messages, channel, json));
    const given = Buffer.from(raw.slice(0, MAC_CHARS));
    return given.length === expected.length && timingSafeEqual(given, expected) ? json : undefined;
  }

  toJSON(): { keyed: boolean } {
    return { keyed: this.keyed };
  }

  [inspect.custom](): { keyed: boolean } {
    return this.toJSON();
  }
}

/**
 * What `EntryAuthenticator.open` returns for an entry whose MAC does not verify.
 *
 * @example
 * ```ts
 * if (auth.open(k, c, raw) === FORGED) report('mac');
 * ```
 */
export const FORGED: unique symbol = Symbol('cache.forged');
