export { firestore, FirestoreDriver } from './firestore-driver.js';
export type { FirestoreOptions, ResolvedFirestoreOptions } from './firestore-options.js';
export { FIRESTORE_LIMITS } from './query-limits.js';
export { planIndexes, type FirestoreIndex, type FirestoreIndexFile } from './index-plan.js';
export { MAX_DOCUMENT_BYTES, MAX_ID_BYTES, documentSize } from './document-rules.js';
export { firestoreConfigFrom } from './backend-registration.js';
export { FirestoreMigrationBackend } from './firestore-migrations.js';
