import { startEmulator } from './helpers/firestore-emulator.js';
import { registerMethodMatrix } from './helpers/method-matrix.js';

const emulator = await startEmulator();
registerMethodMatrix('firestore', { afterClose: () => emulator.stop() });
