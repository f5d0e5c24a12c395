import { test } from 'uvu';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { firestore } from '@chatcore/firestore';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { appFolder } from './helpers/app-folder.js';
import { searchableFlow } from './helpers/searchable-flow.js';

// Encrypted fields made searchable, through the built binary, on the Firestore emulator in a project of its own.

const emulator = await useFirestoreEmulator();
const project = `chatcore-cli-searchable-${randomBytes(4).toString('hex')}`;
const dir = appFolder('chatcore-cli-searchable-fs-', ['backend: firestore', `project_id: ${project}`, `emulator_host: ${emulator.host}`]);

// Firestore keeps field names, creates nothing ahead of a write and has no NOT NULL.
searchableFlow(test, dir, { K1: randomBytes(32).toString('base64') }, () => firestore({ projectId: project, emulatorHost: emulator.host }), { stored: (field) => field, createsColumns: false, notNull: false });

test.after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await emulator.stop();
});
test.run();
