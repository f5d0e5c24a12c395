import * as fs from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { ConfigError } from '@chatcore/core';

/**
 * Permission bits of the audit files chatcore creates (the trail, rotated
 * files, compressed archives, checkpoints): owner read/write only, since
 * the trail names actors, records and queries. Files chatcore creates get
 * exactly this mode, whatever the umask; files that already exist keep theirs.
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

/**
 * Open `path` for appending, creating it with exactly `mode`: a file this
 * call creates is chmod-ed after the open, since the process umask takes
 * bits from the mode `open` is given (0o640 under umask 077 would be 0o600).
 * A file that exists keeps its mode. Callback style, as `fs.open`, so it can
 * stand in for it in a write stream's `fs` option.
 *
 * @example
 * ```ts
 * openExact('/var/log/app/audit.log', 0o640, (error, fd) => { if (!error) fs.closeSync(fd); });
 * ```
 */
export function openExact(path: fs.PathLike, mode: number, cb: (e: NodeJS.ErrnoException | null, fd: number) => void): void {
  fs.open(path, 'ax', mode, (e, fd) => {
    if (e?.code === 'EEXIST') return fs.open(path, 'a', mode, cb);
    if (e) return cb(e, fd);
    fs.fchmod(fd, mode, (c) => {
      if (c) fs.close(fd, () => cb(c, -1));
      else cb(null, fd);
    });
  });
}

/**
 * `openExact` for a promise-based caller: the file handle, opened for
 * appending; a new file has exactly `mode`, an existing one keeps its own.
 *
 * @example
 * ```ts
 * const fh = await openExactAsync('/var/log/app/audit.checkpoints', 0o600);
 * ```
 */
export async function openExactAsync(path: string, mode: number): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'ax', mode);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return open(path, 'a', mode);
    throw e;
  }
  try {
    await fh.chmod(mode);
  } catch (e) {
    await fh.close();
    throw e;
  }
  return fh;
}

/**
 * Create `path` (append, no write) with exactly `mode` if it does not exist;
 * throws what `open` throws (e.g. EACCES).
 *
 * @example
 * ```ts
 * touchExact('/var/log/app/audit.log', 0o640);
 * ```
 */
export function touchExact(path: string, mode: number): void {
  let fd: number;
  try {
    fd = fs.openSync(path, 'ax', mode);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    fs.closeSync(fs.openSync(path, 'a'));
    return;
  }
  try {
    fs.fchmodSync(fd, mode);
  } finally {
    fs.closeSync(fd);
  }
}
