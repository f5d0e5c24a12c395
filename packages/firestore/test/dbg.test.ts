import { runConformanceSuite } from '@chatcore/core/conformance';
import { useEmulator, testDriver } from './helpers/emulator.js';
const emulator = await useEmulator();
await runConformanceSuite({ name: 'firestore', createDriver: () => testDriver(emulator), only: (process.env.ONLY ?? '').split(',') });
