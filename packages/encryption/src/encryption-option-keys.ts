import { checkOptionKeys, optionKeys } from '@chatcore/core/plugin';
import type { SearchNormalization } from '@chatcore/core/driver';
import type { EncryptionOptions, KeyOption, SealOptions } from './encryption-options.js';

const ENCRYPTION_OPTION_KEYS = optionKeys<EncryptionOptions>({
  keys: true, rootKey: true, passphrase: true, passphraseSalt: true, keyId: true, activeKeyId: true, indexKeyId: true,
  blindIndex: true, keyProvider: true, sensitiveFields: true, repositories: true, rowAuthentication: true, verifyLookups: true,
  name: true, onSecurityEvent: true,
});
const KEY_OPTION_KEYS = optionKeys<KeyOption>({ id: true, key: true, passphrase: true, salt: true, iterations: true, wrappedKey: true, active: true });
const BLIND_INDEX_KEYS = optionKeys<NonNullable<EncryptionOptions['blindIndex']>>({ key: true, fields: true });
const SEAL_OPTION_KEYS = optionKeys<SealOptions>({ seal: true, clear: true, envelopeField: true });
const SENSITIVE_FIELD_KEYS = ['field', 'searchable', 'normalize'];
const NORMALIZE_KEYS = optionKeys<SearchNormalization>({ caseFold: true, trim: true });

const isMap = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Refuse option keys `encryption()` does not know, at the top level and in
 * `keys[]`, `blindIndex`, `repositories.<name>` and `sensitiveFields[]`
 * objects (and their `normalize`): a misspelt `sensitiveFields` would store those fields in clear.
 * Throws a ConfigError naming each unknown key, with a "did you mean" hint.
 *
 * @example
 * ```ts
 * checkEncryptionOptions({ rootKey, sensitiveFields: ['users.ssn'] }); // fine
 * checkEncryptionOptions({ rootKey, sensitive: ['users.ssn'] }); // ConfigError: encryption.sensitive: unknown option (did you mean sensitiveFields?) ...
 * ```
 */
export function checkEncryptionOptions(options: EncryptionOptions): void {
  checkOptionKeys(options, 'encryption', ENCRYPTION_OPTION_KEYS);
  if (Array.isArray(options.keys)) options.keys.forEach((k, i) => isMap(k) && checkOptionKeys(k, `encryption.keys[${i}]`, KEY_OPTION_KEYS));
  if (isMap(options.blindIndex)) checkOptionKeys(options.blindIndex, 'encryption.blindIndex', BLIND_INDEX_KEYS);
  if (isMap(options.repositories)) {
    for (const [name, seal] of Object.entries(options.repositories!)) if (isMap(seal)) checkOptionKeys(seal, `encryption.repositories.${name}`, SEAL_OPTION_KEYS);
  }
  if (Array.isArray(options.sensitiveFields)) {
    options.sensitiveFields.forEach((f, i) => {
      if (!isMap(f)) return;
      checkOptionKeys(f, `encryption.sensitiveFields[${i}]`, SENSITIVE_FIELD_KEYS);
      const normalize = (f as { normalize?: unknown }).normalize;
      if (isMap(normalize)) checkOptionKeys(normalize as object, `encryption.sensitiveFields[${i}].normalize`, NORMALIZE_KEYS);
    });
  }
}
