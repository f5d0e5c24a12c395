import { test } from 'uvu';
import { sqlDriver } from '@chatcore/sql';
import { defaultTemplateCache, PgliteExecutor, startInMemory } from '@chatcore/pglite';
import { dropEncryptedField } from './helpers/drop-encrypted.js';

test('PGlite: dropping an encrypted field that rows still hold under row authenticators is refused; cleared first, it drops', async () => {
  const client = await startInMemory(defaultTemplateCache());
  try {
    await dropEncryptedField(() => sqlDriver({ name: 'pglite', executor: new PgliteExecutor({ client }) }));
  } finally {
    await client.close();
  }
});

test.run();
