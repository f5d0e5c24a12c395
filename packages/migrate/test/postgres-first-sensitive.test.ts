import { test } from 'uvu';
import { freshDatabase, pgDriver } from './helpers/pg-database.js';
import { addFirstSensitiveField } from './helpers/first-sensitive.js';

test('PostgreSQL: a repository gains its first encrypted field with a backfill: row authenticator added, old rows rewritten', async () => {
  const db = await freshDatabase();
  try {
    await addFirstSensitiveField(false, () => pgDriver(db.url));
  } finally {
    await db.drop();
  }
});

test('PostgreSQL: a repository gains its first encrypted field with a backfill: row authenticator added, old rows rewritten (rowAuth stated too)', async () => {
  const db = await freshDatabase();
  try {
    await addFirstSensitiveField(true, () => pgDriver(db.url));
  } finally {
    await db.drop();
  }
});

test.run();
