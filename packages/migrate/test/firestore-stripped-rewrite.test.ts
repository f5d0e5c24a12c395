import { test } from 'uvu';
import { freshProject, fsDriver } from './helpers/fs-database.js';
import { strippedBeforeLaterMigration, strippedWhileInterrupted, strippedWhileRunning } from './helpers/stripped-rewrite.js';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';

await useFirestoreEmulator();

const cases = [
  ['a rewritten row stripped while the first encrypted field is backfilled is refused, not rewritten', strippedWhileRunning],
  ['a rewritten row stripped while the migration is interrupted is refused by the resumed run', strippedWhileInterrupted],
  ['a row stripped after the migration is refused by a later migration, not rewritten', strippedBeforeLaterMigration],
] as const;

for (const [name, run] of cases) {
  test(`Firestore: ${name}`, async () => {
    const project = freshProject();
    await run(() => fsDriver(project));
  });
}

test.run();
