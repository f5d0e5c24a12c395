import { test } from 'uvu';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { runAcceptance } from './helpers/acceptance.js';
import { firestoreStored, freshProject, fsDriver } from './helpers/fs-database.js';

await useFirestoreEmulator();
// A writer's transaction that meets a rewrite page waits by retrying (SQL would block); give it room on a loaded machine.
const WRITER_ATTEMPTS = 20;
// 2,000 by default to stay within the test runner's 10 minutes on a loaded machine; the 10,000-document run
// (docs/migrations.md) sets CHATCORE_MIGRATE_FIRESTORE_ROWS=10000.
const rows = Number(process.env.CHATCORE_MIGRATE_FIRESTORE_ROWS ?? 2_000);

test(`Firestore emulator: ${rows} documents migrate (rename plain and encrypted fields, string to integer, required field, drop) under a concurrent writer`, async () => {
  const project = freshProject();
  const figures = await runAcceptance({ stored: firestoreStored, driver: () => fsDriver(project), writerDriver: () => fsDriver(project, undefined, WRITER_ATTEMPTS), rows, batchSize: 400, concurrency: 1 });
  console.log(`firestore acceptance: ${JSON.stringify(figures)}`);
});

test.run();
