// Run by emulator-credentials.test.ts as its own process, with the
// environment the test gives it: one write and one read through the driver
// against the emulator host given as argv[2], then db.close().
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { firestore } from '../../src/index.js';

const notes = defineRepository('notes', { id: f.id(), body: f.text() }, { table: 'emulator_child_notes' });
const explicit = process.argv[3] === 'explicit';
const db = createDatabase({ driver: firestore({ projectId: 'demo-emulator-child', ...(explicit ? { emulatorHost: process.argv[2] } : {}) }), repositories: { notes } });
await db.connect();
const note = await db.notes.create({ body: 'hello' });
console.log(`RESULT ${(await db.notes.get(note.id))?.body}`);
await db.close();
