import { ChatcoreError, DriverError } from '@chatcore/core';

/**
 * The error for a data directory PGlite could not open (a folder of other
 * files, a damaged or foreign cluster, a regular file): it names the
 * directory and what to check, instead of PGlite's bare "failed to
 * initialize properly" reported as a rejected statement. Typed errors
 * (the directory lock's) pass through.
 *
 * @example
 * ```ts
 * try { await PGlite.create({ dataDir }); } catch (e) { throw unusableDataDir(dataDir, e); }
 * ```
 */
export function unusableDataDir(path: string, error: unknown): Error {
  if (error instanceof ChatcoreError) return error;
  const reason = (error instanceof Error ? error.message : String(error)).slice(0, 200);
  return new DriverError(
    `PGlite could not open the data directory ${path} (${reason}): it is not a PGlite data directory, or it is damaged. Check data_dir; a missing or empty folder starts a new database.`,
    { cause: error },
  );
}
