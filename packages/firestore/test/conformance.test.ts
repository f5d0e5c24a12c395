import { runConformanceSuite } from '@chatcore/core/conformance';
import { useEmulator, testDriver } from './helpers/emulator.js';

// The shared driver contract, unmodified, against the Firestore emulator.
const emulator = await useEmulator();
await runConformanceSuite({ name: 'firestore', createDriver: () => testDriver(emulator) });
