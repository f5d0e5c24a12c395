import { test } from 'uvu';
import { freshDatabase, pgDriver } from './helpers/pg-database.js';
import { strippedBeforeLaterMigration, strippedWhileInterrupted, strippedWhileRunning } from './helpers/stripped-rewrite.js';

const cases = [
  ['a rewritten row stripped while the first encrypted field is backfilled is refused, not rewritten', strippedWhileRunning],
  ['a rewritten row stripped while the migration is interrupted is refused by the resumed run', strippedWhileInterrupted],
  ['a row stripped after the migration is refused by a later migration, not rewritten', strippedBeforeLaterMigration],
] as const;

for (const [name, run] of cases) {
  test(`PostgreSQL: ${name}`, async () => {
    const db = await freshDatabase();
    try {
      await run(() => pgDriver(db.url));
    } finally {
      await db.drop();
    }
  });
}

test.run();
