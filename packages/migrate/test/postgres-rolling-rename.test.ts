import { test } from 'uvu';
import { freshDatabase, pgDriver } from './helpers/pg-database.js';
import { createsDuringEncryptedRename, updateDuringEncryptedRenameCopy } from './helpers/rolling-rename.js';

test('PostgreSQL: rows the previous release creates during an encrypted rename are copied before the old field is dropped', async () => {
  const db = await freshDatabase();
  try {
    await createsDuringEncryptedRename(() => pgDriver(db.url));
  } finally {
    await db.drop();
  }
});

test('PostgreSQL: a row the previous release updates between the rename\'s read and write is copied with its new value', async () => {
  const db = await freshDatabase();
  try {
    await updateDuringEncryptedRenameCopy(() => pgDriver(db.url));
  } finally {
    await db.drop();
  }
});

test.run();
