import { pbkdf2, createSecretKey } from 'node:crypto';
import { promisify } from 'node:util';
import { ConfigError, IntegrityError, KeyError } from '@chatcore/core';
import { gcmOpen, gcmSeal } from '../crypto/aes-gcm.js';
import { headerFor, parseCiphertext } from '../crypto/ciphertext-format.js';
import { contextBytes } from '../crypto/aad.js';
import type { DeriveKeyRequest, KeyProvider } from './key-provider.js';
import { decodeKeyBytes } from './key-source.js';
import { MIN_PBKDF2_ITERATIONS_VALUE } from './constants.js';

const pbkdf2Async = promisify(pbkdf2);

/**
 * Lowest PBKDF2 iteration count accepted (OWASP 2023 guidance for PBKDF2-HMAC-SHA256).
 *
 * @example
 * ```ts
 * encryption({ keys: [{ id: 'pp', passphrase, salt, iterations: MIN_PBKDF2_ITERATIONS }] });
 * ```
 */
export const MIN_PBKDF2_ITERATIONS = MIN_PBKDF2_ITERATIONS_VALUE;

/**
 * Options of the local key provider.
 *
 * @example
 * ```ts
 * const options: LocalKeyProviderOptions = { kek: process.env.CHATCORE_KEK };
 * ```
 */
export interface LocalKeyProviderOptions {
  /** Key-encryption key (32 random bytes, base64) for wrapKey/unwrapKey; without it those refuse. */
  readonly kek?: string | undefined;
}

/**
 * The key provider that needs no service: PBKDF2-HMAC-SHA256 for
 * passphrases, and AES-256-GCM wrapping under a local key-encryption key.
 *
 * @example
 * ```ts
 * encryption({ keyProvider: localKeyProvider({ kek: process.env.CHATCORE_KEK }), keys: [{ id: 'k1', wrappedKey: '...' }] });
 * ```
 */
export function localKeyProvider(options: LocalKeyProviderOptions = {}): KeyProvider {
  const kek = options.kek === undefined ? undefined : createSecretKey(decodeKeyBytes(options.kek, 'kek'));
  const needKek = () => {
    if (!kek) throw new KeyError('The local key provider has no key-encryption key: pass localKeyProvider({ kek }) to wrap or unwrap data keys.', { info: { keyId: 'kek' } });
    return kek;
  };
  return {
    name: 'local',
    async deriveKey(request: DeriveKeyRequest): Promise<Uint8Array> {
      if (!Number.isSafeInteger(request.iterations) || request.iterations < MIN_PBKDF2_ITERATIONS) {
        throw new ConfigError(`Key ${request.keyId}: PBKDF2 needs at least ${MIN_PBKDF2_ITERATIONS} iterations.`);
      }
      return new Uint8Array(await pbkdf2Async(request.passphrase, request.salt, request.iterations, 32, 'sha256'));
    },
    async wrapKey(keyId: string, dataKey: Uint8Array): Promise<Uint8Array> {
      const header = headerFor('kek');
      return gcmSeal(needKek(), header, Buffer.concat([header, contextBytes(['wrap', keyId])]), dataKey);
    },
    async unwrapKey(keyId: string, wrapped: Uint8Array): Promise<Uint8Array> {
      const key = needKek();
      const parts = parseCiphertext(Buffer.from(wrapped), `wrapped key ${keyId}`);
      try {
        return new Uint8Array(gcmOpen(key, parts.nonce, parts.tag, Buffer.concat([parts.header, contextBytes(['wrap', keyId])]), parts.body));
      } catch (cause) {
        throw new IntegrityError(`The wrapped data key ${keyId} does not unwrap under this key-encryption key: check kek and the wrappedKey of ${keyId}.`, { info: { keyId }, cause });
      }
    },
  };
}

/**
 * The process-wide default provider (one instance, so passphrase stretching is cached per process).
 *
 * @example
 * ```ts
 * const ring = await Keyring.load({ keys: [{ id: 'k1', key: randomBytes(32).toString('base64') }] }, defaultKeyProvider);
 * ```
 */
export const defaultKeyProvider: KeyProvider = localKeyProvider();
