import { test } from 'uvu';
import { freshDatabase, pgDriver } from './helpers/pg-database.js';
import { renameRefusesTamperedRow, renameUnderRowAuth } from './helpers/row-auth-rename.js';
import { reencryptInAnotherProcess, rotateDuringRename } from './helpers/rotate-during-rename.js';

async function onPostgres(run: (driver: () => ReturnType<typeof pgDriver>) => Promise<void>): Promise<void> {
  const db = await freshDatabase();
  try {
    await run(() => pgDriver(db.url));
  } finally {
    await db.drop();
  }
}

test('PostgreSQL: renaming an encrypted searchable field under required row authenticators re-encrypts, re-authenticates and stays tamper-evident', async () => {
  await onPostgres((driver) => renameUnderRowAuth(driver, 230, 50));
});

test('PostgreSQL: a row tampered before the rename fails the migration with IntegrityError and is left as it was', async () => {
  await onPostgres((driver) => renameRefusesTamperedRow(driver));
});

test('PostgreSQL: during an unfinished encrypted rename, keyUsage counts the old-name values, retireKey and reencrypt refuse', async () => {
  await onPostgres((driver) => rotateDuringRename(driver));
});

test('PostgreSQL: during an unfinished encrypted rename, reencrypt in a process that did not run it refuses before changing any row', async () => {
  await onPostgres((driver) => reencryptInAnotherProcess(driver));
});

test.run();
