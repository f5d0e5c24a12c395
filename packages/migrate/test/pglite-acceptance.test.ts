import { test } from 'uvu';
import { sqlDriver } from '@chatcore/sql';
import { defaultTemplateCache, PgliteExecutor, startInMemory } from '@chatcore/pglite';
import { runAcceptance } from './helpers/acceptance.js';
import { sqlStored } from './helpers/sql-stored.js';

const rows = Number(process.env.CHATCORE_MIGRATE_PGLITE_ROWS ?? 2000);

test(`PGlite: ${rows} rows migrate (rename plain and encrypted fields, string to integer, required field, drop) under a concurrent writer`, async () => {
  const client = await startInMemory(defaultTemplateCache());
  try {
    const driver = () => sqlDriver({ name: 'pglite', executor: new PgliteExecutor({ client }) });
    const figures = await runAcceptance({ stored: sqlStored, driver, writerDriver: driver, rows, batchSize: 250 });
    console.log(`pglite acceptance: ${JSON.stringify(figures)}`);
  } finally {
    await client.close();
  }
});

test.run();
