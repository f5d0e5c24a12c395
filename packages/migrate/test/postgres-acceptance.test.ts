import { test } from 'uvu';
import { requireService } from '@chatcore/core/testing';
import { runAcceptance } from './helpers/acceptance.js';
import { sqlStored } from './helpers/sql-stored.js';
import { freshDatabase, pgDriver } from './helpers/pg-database.js';

await requireService('postgres');

const rows = Number(process.env.CHATCORE_MIGRATE_PG_ROWS ?? 100_000);

test(`PostgreSQL: ${rows} rows migrate (rename plain and encrypted fields, string to integer, required field, drop) under concurrent writers`, async () => {
  const database = await freshDatabase();
  try {
    // A pool of 4: the migration lock holds one connection for the whole run, so 3 batch transactions at once.
    // With the default 4 the fourth waits for a connection, and gives up after connectTimeout (10 s) once a
    // batch transaction takes that long on loaded cores.
    const figures = await runAcceptance({ stored: sqlStored, driver: () => pgDriver(database.url), writerDriver: () => pgDriver(database.url, 2), rows, batchSize: 1000, concurrency: 3 });
    console.log(`postgres acceptance: ${JSON.stringify(figures)}`);
  } finally {
    await database.drop();
  }
});

test.run();
