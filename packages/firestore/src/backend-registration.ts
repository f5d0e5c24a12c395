import { registerBackend, type ResolvedDatabaseConfig } from '@chatcore/core/config';
import type { FirestoreOptions } from './firestore-options.js';
import { firestore } from './firestore-driver.js';

/**
 * Map the `database` section of a chatcore configuration (YAML
 * `backend: firestore`) to `firestore()` options: `project_id`,
 * `database_id`, `key_filename`, `emulator_host`; `query_timeout` bounds
 * each request (`callTimeout`); `retry` (`{ max_retries, initial_delay,
 * max_delay }`) and `breaker` (`{ failures, half_open_after }`) are the
 * driver's `retry` and `breaker`, in the vocabulary postgres uses.
 *
 * @example
 * ```ts
 * const options = firestoreConfigFrom(loadConfig('chatcore.yaml').database); // { projectId, databaseId, keyFilename, emulatorHost, callTimeout, retry?, breaker? }
 * ```
 */
export function firestoreConfigFrom(cfg: ResolvedDatabaseConfig): FirestoreOptions {
  return {
    projectId: cfg.projectId as string,
    databaseId: cfg.databaseId,
    keyFilename: cfg.keyFilename,
    emulatorHost: cfg.emulatorHost,
    callTimeout: cfg.queryTimeout,
    ...(cfg.retry ? { retry: cfg.retry } : {}),
    ...(cfg.breaker ? { breaker: cfg.breaker } : {}),
  };
}

// Importing @chatcore/firestore makes `backend: firestore` available to configurations.
registerBackend('firestore', (cfg) => firestore(firestoreConfigFrom(cfg)));
