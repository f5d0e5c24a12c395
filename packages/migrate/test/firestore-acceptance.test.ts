import { test } from 'uvu';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { runAcceptance } from './helpers/acceptance.js';
import { firestoreStored, freshProject, fsDriver } from './helpers/fs-database.js';

await useFirestoreEmulator();
const rows = Number(process.env.CHATCORE_MIGRATE_FIRESTORE_ROWS ?? 10_000);

test(`Firestore emulator: ${rows} documents migrate (rename plain and encrypted fields, string to integer, required field, drop) under a concurrent writer`, async () => {
  const project = freshProject();
  const figures = await runAcceptance({ stored: firestoreStored, driver: () => fsDriver(project), writerDriver: () => fsDriver(project), rows, batchSize: 400, concurrency: 1 });
  console.log(`firestore acceptance: ${JSON.stringify(figures)}`);
});

test.run();
