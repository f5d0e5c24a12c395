import { useFirestoreEmulator } from '@chatcore/core/testing';
import { registerMethodMatrix } from './helpers/method-matrix.js';

const emulator = await useFirestoreEmulator();
registerMethodMatrix('firestore', { afterClose: () => emulator.stop() });
