import { test } from 'uvu';
import { requireService } from '@chatcore/core/testing';
import { freshDatabase, pgDriver } from './helpers/pg-database.js';
import { todoBackfillFailsBeforeWriting } from './helpers/unfinished.js';

await requireService('postgres');

test('PostgreSQL: a backfill left at its TODO fails before it writes anything', async () => {
  const database = await freshDatabase();
  try {
    await todoBackfillFailsBeforeWriting(() => pgDriver(database.url));
  } finally {
    await database.drop();
  }
});

test.run();
