/**
 * What a provider needs to stretch a passphrase into a root key.
 *
 * @example
 * ```ts
 * const req: DeriveKeyRequest = { keyId: 'k1', passphrase, salt: Buffer.from(salt, 'base64'), iterations: 600_000 };
 * ```
 */
export interface DeriveKeyRequest {
  readonly keyId: string;
  readonly passphrase: string;
  readonly salt: Uint8Array;
  readonly iterations: number;
}

/**
 * Where root keys come from. The keyring calls it at connect, at most once
 * per key id per process (results are cached), never on the hot path:
 *
 * - `deriveKey` stretches a passphrase (the local provider: PBKDF2-HMAC-SHA256);
 * - `wrapKey` / `unwrapKey` protect a data key under a key-encryption key
 *   that never leaves the provider (a KMS key, or a local KEK), so that
 *   configuration stores only the wrapped form.
 *
 * Every method returns or takes raw key bytes; implementations must not log them.
 *
 * @example
 * ```ts
 * // `client`: your KMS client (e.g. @google-cloud/kms); `kekName`: the key-encryption key's resource name.
 * declare const client: {
 *   encrypt(r: object): Promise<[{ ciphertext?: unknown }]>;
 *   decrypt(r: object): Promise<[{ plaintext?: unknown }]>;
 * };
 * const kekName = 'projects/p/locations/global/keyRings/chat/cryptoKeys/kek';
 * const kms: KeyProvider = {
 *   name: 'gcp-kms',
 *   deriveKey: (r) => localKeyProvider().deriveKey(r),
 *   wrapKey: async (keyId, dataKey) => (await client.encrypt({ name: kekName, plaintext: dataKey, additionalAuthenticatedData: Buffer.from(keyId) }))[0].ciphertext as Uint8Array,
 *   unwrapKey: async (keyId, wrapped) => (await client.decrypt({ name: kekName, ciphertext: wrapped, additionalAuthenticatedData: Buffer.from(keyId) }))[0].plaintext as Uint8Array,
 * };
 * ```
 */
export interface KeyProvider {
  readonly name: string;
  /** Stretch a passphrase into 32 key bytes. */
  deriveKey(request: DeriveKeyRequest): Promise<Uint8Array>;
  /** Wrap a 32-byte data key; the result is stored in configuration (base64). */
  wrapKey(keyId: string, dataKey: Uint8Array): Promise<Uint8Array>;
  /** Unwrap what `wrapKey` returned. */
  unwrapKey(keyId: string, wrapped: Uint8Array): Promise<Uint8Array>;
}
