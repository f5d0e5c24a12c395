import { checkOptionKeys, optionKeys } from '@chatcore/core/driver';
import { sqlDriver, type SqlDriver } from '@chatcore/sql';
import { PgliteExecutor, type PgliteExecutorOptions } from './pglite-executor.js';

/**
 * Options of `pglite()`.
 *
 * @example
 * ```ts
 * pglite({ dataDir: './.data/chatbot' });
 * ```
 */
export type PgliteOptions = PgliteExecutorOptions;

const PGLITE_OPTION_KEYS = optionKeys<PgliteOptions>({ dataDir: true, client: true, templateCache: true });

/**
 * The embedded default: PostgreSQL compiled to WebAssembly (PGlite), in
 * memory unless `dataDir` is given. No server to install; the same SQL driver
 * as `@chatcore/postgres`. Starting takes about two seconds.
 *
 * @example
 * ```ts
 * const db = createDatabase({ driver: pglite(), repositories: { users } });
 * await db.connect();
 * ```
 */
export function pglite(options: PgliteOptions = {}): SqlDriver {
  checkOptionKeys(options, 'pglite', PGLITE_OPTION_KEYS);
  return sqlDriver({ name: 'pglite', executor: new PgliteExecutor(options) });
}
