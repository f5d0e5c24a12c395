import { test } from 'uvu';
import { sqlDriver } from '@chatcore/sql';
import { defaultTemplateCache, PgliteExecutor, startInMemory } from '@chatcore/pglite';
import { rolledBackIsPending, todoBackfillFailsBeforeWriting } from './helpers/unfinished.js';
import { todoSkeletonIsRefusedThenApplies } from './helpers/todo-skeleton.js';
import { lostFinishIsRecorded } from './helpers/lost-finish.js';

test('PGlite: a backfill left at its TODO fails before it writes anything', async () => {
  const client = await startInMemory(defaultTemplateCache());
  try {
    await todoBackfillFailsBeforeWriting(() => sqlDriver({ name: 'pglite', executor: new PgliteExecutor({ client }) }));
  } finally {
    await client.close();
  }
});

test('PGlite: a schema-only migration rolled back is pending again and may be corrected', async () => {
  const client = await startInMemory(defaultTemplateCache());
  try {
    await rolledBackIsPending(() => sqlDriver({ name: 'pglite', executor: new PgliteExecutor({ client }) }));
  } finally {
    await client.close();
  }
});

test('PGlite: a skeleton whose TODO is unfilled is refused with nothing applied, and applies once filled', async () => {
  const client = await startInMemory(defaultTemplateCache());
  try {
    await todoSkeletonIsRefusedThenApplies(() => sqlDriver({ name: 'pglite', executor: new PgliteExecutor({ client }) }));
  } finally {
    await client.close();
  }
});

test('PGlite: a migration whose finish() was lost after its schema changes committed is recorded on the next run', async () => {
  const client = await startInMemory(defaultTemplateCache());
  try {
    await lostFinishIsRecorded(() => sqlDriver({ name: 'pglite', executor: new PgliteExecutor({ client }) }));
  } finally {
    await client.close();
  }
});

test.run();
