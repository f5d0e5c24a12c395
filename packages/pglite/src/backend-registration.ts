import { registerBackend } from '@chatcore/core/config';
import { pglite } from './pglite-driver.js';

/**
 * The `backend: pglite` factory: `data_dir` selects a persistent database,
 * in memory otherwise.
 *
 * @example
 * ```ts
 * const driver = pgliteFromConfig({ dataDir: './.data/app' });
 * ```
 */
export function pgliteFromConfig(cfg: { readonly dataDir?: string | undefined }) {
  return pglite({ dataDir: cfg.dataDir });
}

// Importing @chatcore/pglite makes `backend: pglite` available to configurations.
registerBackend('pglite', pgliteFromConfig);
