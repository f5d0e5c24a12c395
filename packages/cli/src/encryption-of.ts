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

/**
 * The protected repositories a key command works on: those asked for
 * (`--repository`), each checked to have encrypted fields (else a USAGE
 * error listing the protected ones), or every protected repository.
 *
 * @example
 * ```ts
 * const names = protectedRepositories(enc, options.repositories); // ['users', 'notes']
 * ```
 */
export function protectedRepositories(enc: EncryptionPlugin, requested: readonly string[] | undefined): string[] {
  const all = Object.keys(enc.stats().repositories);
  const names = requested?.length ? [...requested] : all;
  for (const n of names) {
    if (!all.includes(n)) throw new CliError(`Repository ${n} has no encrypted fields; protected repositories: ${all.join(', ') || 'none'}.`, { code: 'USAGE' });
  }
  return names;
}
