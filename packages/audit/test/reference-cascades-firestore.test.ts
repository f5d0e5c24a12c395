import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { registerCascadeAudit } from './helpers/reference-cascades.js';

const emulator = await useFirestoreEmulator();
registerCascadeAudit('firestore', { afterClose: () => emulator.stop() });
