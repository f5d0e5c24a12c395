import { test } from 'uvu';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { freshProject, fsDriver } from './helpers/fs-database.js';
import { createsDuringEncryptedRename, updateDuringEncryptedRenameCopy } from './helpers/rolling-rename.js';

await useFirestoreEmulator();

test('Firestore: documents the previous release creates during an encrypted rename are copied before the old field is dropped', async () => {
  const project = freshProject();
  await createsDuringEncryptedRename(() => fsDriver(project));
});

test('Firestore: a document the previous release updates between the rename\'s read and write is copied with its new value', async () => {
  const project = freshProject();
  await updateDuringEncryptedRenameCopy(() => fsDriver(project));
});

test.run();
