import { ConnectionError, type Database, type RepositoryMap } from '@chatcore/core';
import type { ChatcoreConfig } from '@chatcore/core/config';
import { backendLocation } from './backend-location.js';

/**
 * Refuse (a ConnectionError: exit 1, code `CONNECTION`) when the backend
 * does not answer its health check, naming where it was looked for. For
 * commands whose answer takes no round trip on some backends (Firestore
 * compares the schema locally, and its connect() contacts nothing): they
 * would otherwise report success for a server nobody reached. Bounded by
 * the driver's health timeout (Firestore: 5 s). A backend whose connect()
 * already reached it answers at once.
 *
 * @example
 * ```ts
 * await db.driver.connect();
 * await requireReachable(db, config, process.env); // throws for FIRESTORE_EMULATOR_HOST=127.0.0.1:1
 * ```
 */
export async function requireReachable(db: Database<RepositoryMap>, config: ChatcoreConfig, env: NodeJS.ProcessEnv): Promise<void> {
  const report = await db.driver.health();
  if (report.status !== 'down') return;
  const down = report.components.find((c) => c.status === 'down');
  const where = backendLocation(config, env) ?? db.driver.name;
  throw new ConnectionError(`The database did not answer (${where}): ${down?.error ?? `${down?.name ?? db.driver.name} is down`} Nothing was compared or changed.`);
}
