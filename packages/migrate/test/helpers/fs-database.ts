import { randomBytes } from 'node:crypto';
import { firestore, type FirestoreDriver } from '@chatcore/firestore';
import type { StoredShape } from './acceptance.js';

/** A Firestore project of its own on the emulator (history, lease and data are per project). */
export function freshProject(): string {
  return `chatcore-migrate-${randomBytes(5).toString('hex')}`;
}

/** A Firestore driver on the emulator (FIRESTORE_EMULATOR_HOST), in `projectId`. */
export function fsDriver(projectId: string, migrationLease?: string, maxTransactionAttempts?: number): FirestoreDriver {
  return firestore({ projectId, emulatorHost: process.env.FIRESTORE_EMULATOR_HOST ?? '127.0.0.1:8080', ...(migrationLease ? { migrationLease } : {}), ...(maxTransactionAttempts ? { maxTransactionAttempts } : {}) });
}

/** How Firestore stores the migrated tickets: field names, explicit nulls, integers as int64. */
export const firestoreStored: StoredShape = {
  async dump(driver) {
    const db = (driver as FirestoreDriver).firestore;
    const lines: string[] = [];
    for (const name of ['tickets', 'tickets__unique', 'chatcore_migrations']) {
      for (const d of (await db.collection(name).get()).docs) {
        lines.push(`${name}/${d.id} ${JSON.stringify(d.data(), (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
      }
    }
    return lines;
  },
  fields: ['contact', 'contactBidx', 'counter', 'id', 'plan', 'priority', 'subject'],
  integerType: 'integer',
};

/** A short migration lease, so a killed runner's lease expires within the test. */
export const TEST_LEASE = '8s';
