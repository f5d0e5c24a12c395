import { runConformanceSuite } from '@chatcore/core/conformance';
import { useFirestoreEmulator } from '../src/testing/index.js';
import { testDriver } from './helpers/emulator.js';

// The shared driver contract, unmodified, against the Firestore emulator.
const emulator = await useFirestoreEmulator();
await runConformanceSuite({ name: 'firestore', createDriver: () => testDriver(emulator) });
