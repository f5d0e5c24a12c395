import { test } from 'uvu';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { freshProject, fsDriver } from './helpers/fs-database.js';
import { createsDuringEncryptedRename } from './helpers/rolling-rename.js';

await useFirestoreEmulator();

test('Firestore: documents the previous release creates during an encrypted rename are copied before the old field is dropped', async () => {
  const project = freshProject();
  await createsDuringEncryptedRename(() => fsDriver(project));
});

test.run();
