import { test } from 'uvu';
import { sqlDriver } from '@chatcore/sql';
import { defaultTemplateCache, PgliteExecutor, startInMemory } from '@chatcore/pglite';
import { todoBackfillFailsBeforeWriting } from './helpers/unfinished.js';

test('PGlite: a backfill left at its TODO fails before it writes anything', async () => {
  const client = await startInMemory(defaultTemplateCache());
  try {
    await todoBackfillFailsBeforeWriting(() => sqlDriver({ name: 'pglite', executor: new PgliteExecutor({ client }) }));
  } finally {
    await client.close();
  }
});

test.run();
