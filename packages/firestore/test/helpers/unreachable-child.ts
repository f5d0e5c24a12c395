// Run by unreachable.test.ts as its own process: one create against the
// closed port given as argv[2], then db.close(), and nothing else. The
// process must then exit by itself (no process.exit here).
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { firestore } from '../../src/index.js';

process.env.METADATA_SERVER_DETECTION ??= 'none';
const notes = defineRepository('notes', { id: f.id(), body: f.text() }, { table: 'unreachable_notes' });
const db = createDatabase({ driver: firestore({ projectId: 'nobody', emulatorHost: `127.0.0.1:${process.argv[2]}`, callTimeout: process.argv[3] ?? '2s' }), repositories: { notes } });
await db.connect();
const started = Date.now();
try {
  await db.notes.create({ body: 'lost' });
  console.log('RESULT created');
} catch (error) {
  console.log(`RESULT ${(error as Error).constructor.name} ${Date.now() - started}`);
}
await db.close();
