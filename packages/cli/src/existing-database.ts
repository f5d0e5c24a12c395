import type { ChatcoreConfig } from '@chatcore/core/config';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';

/**
 * Refuse (exit 1, code `SCHEMA`) a command that must not create a database
 * when the configured one does not exist yet: a PGlite `data_dir` that is
 * missing or an empty folder, which opening would turn into a new, empty
 * database. Checked before anything is opened, so nothing is created;
 * the message names the folder and the command that creates it. Other
 * backends are servers, where connecting creates nothing.
 *
 * @example
 * ```ts
 * await requireExistingDatabase(config); // throws for data_dir: ./.data/app before `chatcore migrate up`
 * ```
 */
export async function requireExistingDatabase(config: ChatcoreConfig): Promise<void> {
  const { backend, dataDir } = config.database;
  if ((backend ?? 'pglite') !== 'pglite' || !dataDir) return;
  const { dataDirState } = await import('@chatcore/pglite');
  const state = dataDirState(dataDir);
  if (state !== 'missing' && state !== 'empty') return;
  const what = state === 'missing' ? 'does not exist' : 'is empty';
  throw new CliError(
    `There is no database yet: the PGlite data directory ${dataDir} (database.data_dir) ${what}. This command does not create one: ` +
      'run `chatcore migrate up` to create the database and its tables, or correct data_dir. Nothing was created.',
    { exitCode: EXIT.CHECK_FAILED, code: 'SCHEMA' },
  );
}
