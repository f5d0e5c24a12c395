import { test } from 'uvu';
import { freshProject, fsDriver } from './helpers/fs-database.js';
import { dropEncryptedField } from './helpers/drop-encrypted.js';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';

await useFirestoreEmulator();

test('Firestore: dropping an encrypted field that rows still hold under row authenticators is refused; cleared first, it drops', async () => {
  const project = freshProject();
  await dropEncryptedField(() => fsDriver(project));
});

test.run();
