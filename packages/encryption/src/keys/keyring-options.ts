import { ConfigError } from '@chatcore/core';
import type { EncryptionOptions } from '../encryption-options.js';
import type { KeyringConfig } from './keyring.js';
import { keyringFromEnv } from './env-keys.js';
import type { KeySource } from './key-source.js';

/**
 * The keyring configuration from plugin options, which accept both the
 * TypeScript form (`keys`, `activeKeyId`) and the checked YAML section
 * (`root_key`, `passphrase` + `passphrase_salt`, `key_id`, `keys[].active`,
 * `blind_index.key`); without any key source, the environment.
 *
 * @example
 * ```ts
 * keyringOptions({ rootKey: process.env.CHATCORE_ROOT_KEY, keyId: '2026-01' });
 * ```
 */
export function keyringOptions(options: EncryptionOptions): KeyringConfig {
  const sources = [options.keys, options.rootKey, options.passphrase].filter((x) => x !== undefined).length;
  if (sources > 1) throw new ConfigError('encryption: keys, rootKey and passphrase are alternatives; keep one.');
  const indexKey = options.blindIndex?.key;
  if (options.keys) {
    const flagged = options.keys.filter((k) => k.active === true).map((k) => String(k.id));
    if (flagged.length > 1) throw new ConfigError(`encryption: only one key can be active (found ${flagged.join(', ')}).`);
    if (flagged.length === 1 && options.activeKeyId !== undefined && options.activeKeyId !== flagged[0]) {
      throw new ConfigError(`encryption: activeKeyId ${options.activeKeyId} disagrees with active: true on ${flagged[0]}.`);
    }
    // Shapes are checked by Keyring.check (id, exactly one key source).
    const keys = options.keys.map(({ active: _active, ...source }) => source as KeySource);
    return { keys, activeKeyId: options.activeKeyId ?? flagged[0], indexKeyId: options.indexKeyId, indexKey };
  }
  const id = options.keyId ?? 'k1';
  if (options.rootKey !== undefined) return { keys: [{ id, key: options.rootKey }], indexKey };
  if (options.passphrase !== undefined) return { keys: [{ id, passphrase: options.passphrase, salt: options.passphraseSalt }], indexKey };
  return { ...keyringFromEnv(process.env), indexKey };
}
