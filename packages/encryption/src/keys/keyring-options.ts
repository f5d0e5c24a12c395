import { ConfigError } from '@chatcore/core';
import { SecretValue } from '@chatcore/core/plugin';
import type { EncryptionOptions, KeyOption } from '../encryption-options.js';
import type { KeyringConfig } from './keyring.js';
import { keyringFromEnv } from './env-keys.js';
import type { KeySource } from './key-source.js';

/**
 * The keyring configuration from plugin options, which accept both the
 * TypeScript form (`keys`, `activeKeyId`) and the checked YAML section
 * (`root_key`, `passphrase` + `passphrase_salt`, `key_id`, `keys[].active`,
 * `blind_index.key`); without any key option at all, the environment. A key
 * option present but undefined (`rootKey: process.env.UNSET`) is a ConfigError.
 *
 * @example
 * ```ts
 * keyringOptions({ rootKey: process.env.CHATCORE_ROOT_KEY, keyId: '2026-01' });
 * ```
 */
export function keyringOptions(options: EncryptionOptions): KeyringConfig {
  // `rootKey: process.env.X` with X unset: refused, rather than falling back to CHATCORE_ENCRYPTION_KEY unnoticed.
  for (const k of ['rootKey', 'passphrase', 'keys'] as const) {
    if (k in options && options[k] === undefined) {
      throw new ConfigError(`encryption: ${k} is undefined: the environment variable you read it from is probably unset. Set it, or leave ${k} out to read the key from CHATCORE_ENCRYPTION_KEY.`, { problems: [{ path: `encryption.${k}`, message: 'is undefined (an unset environment variable?)' }] });
    }
  }
  const sources = [options.keys, options.rootKey, options.passphrase].filter((x) => x !== undefined).length;
  if (sources > 1) throw new ConfigError('encryption: keys, rootKey and passphrase are alternatives; keep one.');
  const indexKey = SecretValue.reveal(options.blindIndex?.key);
  if (options.keys) {
    const flagged = options.keys.filter((k) => k.active === true).map((k) => String(k.id));
    if (flagged.length > 1) throw new ConfigError(`encryption: only one key can be active (found ${flagged.join(', ')}).`);
    if (flagged.length === 1 && options.activeKeyId !== undefined && options.activeKeyId !== flagged[0]) {
      throw new ConfigError(`encryption: activeKeyId ${options.activeKeyId} disagrees with active: true on ${flagged[0]}.`);
    }
    // Shapes are checked by Keyring.check (id, exactly one key source).
    const keys = options.keys.map((k) => keySource(k));
    return { keys, activeKeyId: options.activeKeyId ?? flagged[0], indexKeyId: options.indexKeyId, indexKey };
  }
  const id = options.keyId ?? 'k1';
  if (options.rootKey !== undefined) return { keys: [{ id, key: SecretValue.reveal(options.rootKey) }], indexKey };
  if (options.passphrase !== undefined) return { keys: [{ id, passphrase: SecretValue.reveal(options.passphrase), salt: SecretValue.reveal(options.passphraseSalt) }], indexKey };
  return { ...keyringFromEnv(process.env), indexKey };
}

/**
 * A key option as the keyring takes it: SecretValue members revealed, `active` dropped.
 *
 * @example
 * ```ts
 * keySource({ id: 'k2', key: new SecretValue(process.env.CHATCORE_KEY_K2!) }); // { id: 'k2', key: '...' }
 * ```
 */
export function keySource(option: KeyOption | KeySource): KeySource {
  if (!option || typeof option !== 'object') return option as KeySource;
  const { active: _active, ...rest } = option as KeyOption;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rest)) out[k] = SecretValue.reveal(v);
  return out as unknown as KeySource;
}

/** Option members that carry key material. */
const SECRET_OPTIONS = ['rootKey', 'passphrase', 'passphraseSalt', 'keys', 'blindIndex'];

/**
 * Make the options object given to `encryption()` print its key material as
 * `[redacted]` (`util.inspect`, `JSON.stringify`), as the loaded
 * configuration does; reading the members is unchanged. An object that
 * already prints itself (a checked YAML section) or is frozen is left as it is.
 *
 * @example
 * ```ts
 * const options = concealOptions({ rootKey });
 * JSON.stringify(options); // '{"rootKey":"[redacted]"}'
 * ```
 */
export function concealOptions<O extends object>(options: O): O {
  if (options && typeof options === 'object' && Object.isExtensible(options) && !Object.hasOwn(options, 'toJSON')) SecretValue.conceal(options, SECRET_OPTIONS);
  return options;
}
