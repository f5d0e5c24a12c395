import { test } from 'uvu';
import { freshProject, fsDriver } from './helpers/fs-database.js';
import { addFirstSensitiveField } from './helpers/first-sensitive.js';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';

await useFirestoreEmulator();

test('Firestore: a repository gains its first encrypted field with a backfill: row authenticator added, old rows rewritten', async () => {
  const project = freshProject();
  await addFirstSensitiveField(false, () => fsDriver(project));
});

test('Firestore: a repository gains its first encrypted field with a backfill: row authenticator added, old rows rewritten (rowAuth stated too)', async () => {
  const project = freshProject();
  await addFirstSensitiveField(true, () => fsDriver(project));
});

test.run();
