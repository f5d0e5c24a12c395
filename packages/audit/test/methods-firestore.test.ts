import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { registerMethodMatrix } from './helpers/method-matrix.js';

const emulator = await useFirestoreEmulator();
registerMethodMatrix('firestore', { afterClose: () => emulator.stop() });
