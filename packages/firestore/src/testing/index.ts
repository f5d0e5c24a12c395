// @chatcore/firestore/testing: Google's Firestore emulator for test suites.
export { useFirestoreEmulator, type FirestoreEmulator } from './firestore-emulator.js';
