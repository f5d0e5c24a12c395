import { ConfigError } from '@chatcore/core';
import type { KeyringConfig } from './keyring.js';

/**
 * The keyring from environment variables, for deployments that configure
 * keys outside code: `CHATCORE_ENCRYPTION_KEY` (32 bytes, base64), or
 * `CHATCORE_ENCRYPTION_PASSPHRASE` with `CHATCORE_ENCRYPTION_SALT`; the key
 * id is `CHATCORE_ENCRYPTION_KEY_ID` (default `k1`).
 *
 * @example
 * ```ts
 * const config = keyringFromEnv(process.env);
 * ```
 */
export function keyringFromEnv(env: NodeJS.ProcessEnv): KeyringConfig {
  const id = env.CHATCORE_ENCRYPTION_KEY_ID ?? 'k1';
  if (env.CHATCORE_ENCRYPTION_KEY) return { keys: [{ id, key: env.CHATCORE_ENCRYPTION_KEY }] };
  if (env.CHATCORE_ENCRYPTION_PASSPHRASE) return { keys: [{ id, passphrase: env.CHATCORE_ENCRYPTION_PASSPHRASE, salt: env.CHATCORE_ENCRYPTION_SALT }] };
  throw new ConfigError(
    'encryption() has no key: pass keys: [{ id, key }] (32 random bytes, base64), or set CHATCORE_ENCRYPTION_KEY, ' +
      'or CHATCORE_ENCRYPTION_PASSPHRASE with CHATCORE_ENCRYPTION_SALT.',
  );
}
