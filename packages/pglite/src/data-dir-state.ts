import { readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { LOCK_FILE } from './data-dir-lock.js';

/**
 * The local path of a `dataDir`: the path itself, or a `file://` URL's
 * path; `undefined` for PGlite's other schemes (`idb://`, `memory://`),
 * which are not folders of this machine.
 *
 * @example
 * ```ts
 * localPath('file:///var/lib/app/pg'); // '/var/lib/app/pg'
 * localPath('memory://'); // undefined
 * ```
 */
export function localPath(dataDir: string): string | undefined {
  if (dataDir.startsWith('file://')) return dataDir.slice('file://'.length);
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(dataDir) ? undefined : dataDir;
}

/**
 * What opening a PGlite `dataDir` would find, read without creating,
 * locking or writing anything: `missing` (nothing at the path) and `empty`
 * (a folder holding nothing, or only a stale lock file) are where opening
 * starts a new database; `present` is anything else (a data directory, or
 * files PGlite will refuse to open, as it says then); `remote` a scheme
 * that is not a local folder. A tool that must not create a database
 * checks this before connecting.
 *
 * @example
 * ```ts
 * if (dataDirState('./.data/app') !== 'present') console.error('run the migrations first');
 * ```
 */
export function dataDirState(dataDir: string): 'missing' | 'empty' | 'present' | 'remote' {
  const path = localPath(dataDir);
  if (path === undefined) return 'remote';
  const full = resolve(path);
  const stat = statSync(full, { throwIfNoEntry: false });
  if (!stat) return 'missing';
  if (!stat.isDirectory()) return 'present';
  return readdirSync(full).every((name) => name === LOCK_FILE) ? 'empty' : 'present';
}
