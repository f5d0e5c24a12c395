import { ConfigError } from '@chatcore/core';

/**
 * Permission bits of the audit files chatcore creates (the trail, rotated
 * files, compressed archives, checkpoints): owner read/write only, since
 * the trail names actors, records and queries. Files that already exist
 * keep theirs.
 *
 * @example
 * ```ts
 * audit({ sinks: { file: { path: 'audit.log', fileMode: 0o640 } } }); // a log shipper's group may read
 * ```
 */
export const DEFAULT_FILE_MODE = 0o600;

/**
 * Check a `fileMode` option (permission bits, e.g. 0o640) and apply the default.
 *
 * @example
 * ```ts
 * const mode = fileModeOption(options.fileMode, 'sinks.file.fileMode'); // 0o600 when unset
 * ```
 */
export function fileModeOption(value: number | undefined, path: string): number {
  if (value === undefined) return DEFAULT_FILE_MODE;
  if (!Number.isInteger(value) || value < 0 || value > 0o777) throw new ConfigError(`audit: ${path} must be permission bits from 0 to 0o777, e.g. 0o600 (got ${String(value)}).`);
  return value;
}
