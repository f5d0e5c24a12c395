import { test } from 'uvu';
import { sqlDriver } from '@chatcore/sql';
import { defaultTemplateCache, PgliteExecutor, startInMemory } from '@chatcore/pglite';
import { addFirstSensitiveField } from './helpers/first-sensitive.js';

test('PGlite: a repository gains its first encrypted field with a backfill: row authenticator added, old rows rewritten', async () => {
  const client = await startInMemory(defaultTemplateCache());
  try {
    await addFirstSensitiveField(false, () => sqlDriver({ name: 'pglite', executor: new PgliteExecutor({ client }) }));
  } finally {
    await client.close();
  }
});

test('PGlite: a repository gains its first encrypted field with a backfill: row authenticator added, old rows rewritten (rowAuth stated too)', async () => {
  const client = await startInMemory(defaultTemplateCache());
  try {
    await addFirstSensitiveField(true, () => sqlDriver({ name: 'pglite', executor: new PgliteExecutor({ client }) }));
  } finally {
    await client.close();
  }
});

test.run();
