import { randomBytes } from 'node:crypto';
import { useFirestoreEmulator } from '@chatcore/core/testing';
import { firestore, type FirestoreDriver, type FirestoreOptions } from '../../src/index.js';


/** A running emulator: reused when one already answers, else started here and stopped by `stop()`. */
export interface Emulator {
  readonly host: string;
  stop(): Promise<void>;
}

/**
 * Reuse the emulator on FIRESTORE_EMULATOR_HOST (or 127.0.0.1:8080), or start
 * one on a free port. Without the emulator binary this behaves like
 * requireService: skip the file, or fail under CHATCORE_REQUIRE_SERVICES=1.
 */
export const useEmulator: () => Promise<Emulator> = useFirestoreEmulator;

/** A random suffix for collection and project names, so test files never share data. */
export function suffix(): string {
  return randomBytes(5).toString('hex');
}

/** A driver on the emulator, in a project of its own. */
export function testDriver(emulator: Emulator, options: Partial<FirestoreOptions> = {}): FirestoreDriver {
  return firestore({ projectId: `chatcore-test-${suffix()}`, emulatorHost: emulator.host, ...options });
}
