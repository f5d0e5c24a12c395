export { isReachable, requireService, type ServiceName } from './services.js';
export { useFirestoreEmulator, freePort, type FirestoreEmulator } from './firestore-emulator.js';
