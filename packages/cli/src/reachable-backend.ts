import { ConnectionError, type Database, type RepositoryMap } from '@chatcore/core';
import type { ChatcoreConfig } from '@chatcore/core/config';
import { backendLocation } from './backend-location.js';

/**
 * How long the CLI waits for the backend to answer: the bound of the
 * drivers' health checks (Firestore: 5 s; PostgreSQL: min(connectTimeout,
 * 5 s), and chatcore.yaml leaves connectTimeout at its 10 s default).
 *
 * @example
 * ```ts
 * setTimeout(giveUp, ANSWER_WITHIN_MS);
 * ```
 */
export const ANSWER_WITHIN_MS = 5000;

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

/**
 * Connect the driver, waiting at most `ANSWER_WITHIN_MS` for the backend
 * to accept: a server that accepts TCP and never answers is refused with a
 * ConnectionError naming where it was looked for, instead of waiting out
 * each connect timeout of the driver's retries (PostgreSQL: 4 x 10 s).
 * Failures that come sooner are the driver's own. The connect left
 * pending is ended by `db.close()`. PGlite opens local files: it is not
 * bounded.
 *
 * @example
 * ```ts
 * await connectWithin(db, config, process.env); // ConnectionError after 5 s for a silent server
 * ```
 */
export async function connectWithin(db: Database<RepositoryMap>, config: ChatcoreConfig, env: NodeJS.ProcessEnv): Promise<void> {
  if ((config.database.backend ?? 'pglite') === 'pglite') return db.driver.connect();
  const connecting = db.driver.connect();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), ANSWER_WITHIN_MS); });
  try {
    if ((await Promise.race([connecting, late])) !== 'late') return;
  } finally {
    clearTimeout(timer);
  }
  connecting.catch(() => undefined);
  const where = backendLocation(config, env) ?? db.driver.name;
  throw new ConnectionError(
    `The database did not answer (${where}): no connection within ${ANSWER_WITHIN_MS / 1000} s. Check that the server is up and reachable at that address. Nothing was read or changed.`,
    { info: { phase: 'connect', sent: false, waitedMs: ANSWER_WITHIN_MS } },
  );
}
