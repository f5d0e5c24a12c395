import { test } from 'uvu';
import { sqlDriver } from '@chatcore/sql';
import { defaultTemplateCache, PgliteExecutor, startInMemory } from '@chatcore/pglite';
import { strippedBeforeLaterMigration, strippedWhileInterrupted, strippedWhileRunning } from './helpers/stripped-rewrite.js';

const cases = [
  ['a rewritten row stripped while the first encrypted field is backfilled is refused, not rewritten', strippedWhileRunning],
  ['a rewritten row stripped while the migration is interrupted is refused by the resumed run', strippedWhileInterrupted],
  ['a row stripped after the migration is refused by a later migration, not rewritten', strippedBeforeLaterMigration],
] as const;

for (const [name, run] of cases) {
  test(`PGlite: ${name}`, async () => {
    const client = await startInMemory(defaultTemplateCache());
    try {
      await run(() => sqlDriver({ name: 'pglite', executor: new PgliteExecutor({ client }) }));
    } finally {
      await client.close();
    }
  });
}

test.run();
