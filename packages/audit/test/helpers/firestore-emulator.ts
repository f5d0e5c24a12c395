import { useFirestoreEmulator } from '@chatcore/core/testing';

/**
 * The Firestore emulator for a test file (reused, or started and stopped by
 * `stop`). Without the binary the file is skipped, or fails under
 * CHATCORE_REQUIRE_SERVICES=1.
 */
export async function startEmulator(): Promise<{ host: string; stop(): void }> {
  const emulator = await useFirestoreEmulator();
  return { host: emulator.host, stop: () => void emulator.stop() };
}
