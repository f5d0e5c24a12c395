import { randomBytes } from 'node:crypto';
import type { FirestoreEmulator } from '../../src/testing/index.js';
import { firestore, type FirestoreDriver, type FirestoreOptions } from '../../src/index.js';

/** A random suffix for collection and project names, so test files never share data. */
export function suffix(): string {
  return randomBytes(5).toString('hex');
}

/** A driver on the emulator, in a project of its own. */
export function testDriver(emulator: FirestoreEmulator, options: Partial<FirestoreOptions> = {}): FirestoreDriver {
  return firestore({ projectId: `chatcore-test-${suffix()}`, emulatorHost: emulator.host, ...options });
}
