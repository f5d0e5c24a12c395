import type { Database, RepositoryMap } from '@chatcore/core';
import type { EncryptionPlugin } from '@chatcore/encryption';
import { CliError } from './cli-error.js';

/**
 * The encryption plugin of the stack the command opened, or a CONFIG
 * error when the configuration has no encryption section.
 *
 * @example
 * ```ts
 * const enc = encryptionOf(db); enc.keyIds(); // ['k1', 'k2']
 * ```
 */
export function encryptionOf(db: Database<RepositoryMap>): EncryptionPlugin {
  const p = db.plugins.find((x) => typeof (x as Partial<EncryptionPlugin>).keyUsage === 'function' && typeof (x as Partial<EncryptionPlugin>).reencrypt === 'function');
  if (!p) throw new CliError('The configuration has no encryption section, so there are no keys to manage.', { code: 'CONFIG' });
  return p as EncryptionPlugin;
}
