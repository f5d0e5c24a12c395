import { pglite } from '@chatcore/pglite';

/**
 * Make `dataDir` a new PGlite database without tables: what `chatcore
 * migrate up` starts from, and what read-only commands need to find (they
 * refuse a missing or empty data_dir rather than create one).
 */
export async function createEmptyDatabase(dataDir: string): Promise<void> {
  const driver = pglite({ dataDir });
  await driver.connect();
  await driver.close();
}
