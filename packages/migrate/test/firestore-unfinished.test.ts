import { test } from 'uvu';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { freshProject, fsDriver } from './helpers/fs-database.js';
import { todoBackfillFailsBeforeWriting } from './helpers/unfinished.js';
import { lostFinishIsRecorded } from './helpers/lost-finish.js';

await useFirestoreEmulator();

test('Firestore emulator: a backfill left at its TODO fails before it writes anything', async () => {
  const project = freshProject();
  await todoBackfillFailsBeforeWriting(() => fsDriver(project));
});

test('Firestore emulator: a migration whose finish() was lost after its schema changes committed is recorded on the next run', async () => {
  const project = freshProject();
  await lostFinishIsRecorded(() => fsDriver(project));
});

test.run();
