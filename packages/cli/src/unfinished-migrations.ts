import type { Database, RepositoryMap } from '@chatcore/core';

/**
 * The ids of the migrations the history records as started but not
 * finished (interrupted). A rename of an encrypted field among them leaves
 * values under the old name that only the process running it counts, so
 * key commands check this before declaring a key unused. None when the
 * driver keeps no migration history.
 *
 * @example
 * ```ts
 * const ids = await unfinishedMigrations(db); // ['010_contact']
 * ```
 */
export async function unfinishedMigrations(db: Database<RepositoryMap>): Promise<string[]> {
  const backend = db.driver.migrations;
  if (!backend) return [];
  return (await backend.history()).filter((r) => !r.finishedAt).map((r) => r.id);
}
