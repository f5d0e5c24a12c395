import { test } from 'uvu';
import { requireService } from '@chatcore/core/testing';
import { freshDatabase, pgDriver } from './helpers/pg-database.js';
import { rolledBackIsPending, todoBackfillFailsBeforeWriting } from './helpers/unfinished.js';
import { todoSkeletonIsRefusedThenApplies } from './helpers/todo-skeleton.js';
import { lostFinishIsRecorded } from './helpers/lost-finish.js';

await requireService('postgres');

test('PostgreSQL: a backfill left at its TODO fails before it writes anything', async () => {
  const database = await freshDatabase();
  try {
    await todoBackfillFailsBeforeWriting(() => pgDriver(database.url));
  } finally {
    await database.drop();
  }
});

test('PostgreSQL: a schema-only migration rolled back is pending again and may be corrected', async () => {
  const database = await freshDatabase();
  try {
    await rolledBackIsPending(() => pgDriver(database.url));
  } finally {
    await database.drop();
  }
});

test('PostgreSQL: a skeleton whose TODO is unfilled is refused with nothing applied, and applies once filled', async () => {
  const database = await freshDatabase();
  try {
    await todoSkeletonIsRefusedThenApplies(() => pgDriver(database.url));
  } finally {
    await database.drop();
  }
});

test('PostgreSQL: a migration whose finish() was lost after its schema changes committed is recorded on the next run', async () => {
  const database = await freshDatabase();
  try {
    await lostFinishIsRecorded(() => pgDriver(database.url));
  } finally {
    await database.drop();
  }
});

test.run();
