import { test } from 'uvu';
import { sqlDriver } from '@chatcore/sql';
import { defaultTemplateCache, PgliteExecutor, startInMemory } from '@chatcore/pglite';
import { renameRefusesTamperedRow, renameUnderRowAuth } from './helpers/row-auth-rename.js';
import { reencryptInAnotherProcess, rotateDuringRename } from './helpers/rotate-during-rename.js';

async function onPglite(run: (driver: () => ReturnType<typeof sqlDriver>) => Promise<void>): Promise<void> {
  const client = await startInMemory(defaultTemplateCache());
  try {
    await run(() => sqlDriver({ name: 'pglite', executor: new PgliteExecutor({ client }) }));
  } finally {
    await client.close();
  }
}

test('PGlite: renaming an encrypted searchable field under required row authenticators re-encrypts, re-authenticates and stays tamper-evident', async () => {
  await onPglite((driver) => renameUnderRowAuth(driver, 230, 50));
});

test('PGlite: a row tampered before the rename fails the migration with IntegrityError and is left as it was', async () => {
  await onPglite((driver) => renameRefusesTamperedRow(driver));
});

test('PGlite: during an unfinished encrypted rename, keyUsage counts the old-name values, retireKey and reencrypt refuse', async () => {
  await onPglite((driver) => rotateDuringRename(driver));
});

test('PGlite: during an unfinished encrypted rename, reencrypt in a process that did not run it refuses before changing any row', async () => {
  await onPglite((driver) => reencryptInAnotherProcess(driver));
});

test.run();
