import { test } from 'uvu';
import { freshDatabase, pgDriver } from './helpers/pg-database.js';
import { dropEncryptedField } from './helpers/drop-encrypted.js';

test('PostgreSQL: dropping an encrypted field that rows still hold under row authenticators is refused; cleared first, it drops', async () => {
  const db = await freshDatabase();
  try {
    await dropEncryptedField(() => pgDriver(db.url));
  } finally {
    await db.drop();
  }
});

test.run();
