import { test } from 'uvu';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { freshProject, fsDriver } from './helpers/fs-database.js';
import { todoBackfillFailsBeforeWriting } from './helpers/unfinished.js';

await useFirestoreEmulator();

test('Firestore emulator: a backfill left at its TODO fails before it writes anything', async () => {
  const project = freshProject();
  await todoBackfillFailsBeforeWriting(() => fsDriver(project));
});

test.run();
