import { registerBackend, type ResolvedDatabaseConfig } from '@chatcore/core/config';
import type { FirestoreOptions } from './firestore-options.js';
import { firestore } from './firestore-driver.js';

/**
 * Map the `database` section of a chatcore configuration (YAML
 * `backend: firestore`) to `firestore()` options: `project_id`,
 * `database_id`, `key_filename`, `emulator_host`; `query_timeout` bounds
 * each request (`callTimeout`).
 *
 * @example
 * ```ts
 * const options = firestoreConfigFrom(loadConfig('chatcore.yaml').database); // { projectId, databaseId, keyFilename, emulatorHost, callTimeout }
 * ```
 */
export function firestoreConfigFrom(cfg: ResolvedDatabaseConfig): FirestoreOptions {
  return {
    projectId: cfg.projectId as string,
    databaseId: cfg.databaseId,
    keyFilename: cfg.keyFilename,
    emulatorHost: cfg.emulatorHost,
    callTimeout: cfg.queryTimeout,
  };
}

// Importing @chatcore/firestore makes `backend: firestore` available to configurations.
registerBackend('firestore', (cfg) => firestore(firestoreConfigFrom(cfg)));
