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
    const figures = await runAcceptance({ stored: sqlStored, driver: () => pgDriver(database.url), writerDriver: () => pgDriver(database.url, 2), rows, batchSize: 1000 });
    console.log(`postgres acceptance: ${JSON.stringify(figures)}`);
  } finally {
    await database.drop();
  }
});

test.run();
