import { randomBytes } from 'node:crypto';
import { memoryDriver, type Driver } from '@chatcore/core/driver';
import { requireService } from '@chatcore/core/testing';
import { pglite } from '@chatcore/pglite';
import { postgres } from '@chatcore/postgres';
import { firestore } from '@chatcore/firestore';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';

/** One backend of a test run: its name and a fresh driver (a new Firestore project, tables named by the caller's suffix). */
export interface Backend {
  readonly name: string;
  readonly driver: () => Driver;
}

/**
 * Memory, PGlite, PostgreSQL and the Firestore emulator, for tests that run
 * one body over every backend (PostgreSQL and Firestore as requireService
 * and useFirestoreEmulator decide: skipped, or required in CI).
 */
export async function everyBackend(): Promise<Backend[]> {
  await requireService('postgres');
  const emulator = await useFirestoreEmulator();
  return [
    { name: 'memory', driver: () => memoryDriver() },
    { name: 'pglite', driver: () => pglite() },
    { name: 'postgres', driver: () => postgres({ url: 'postgres://postgres@127.0.0.1:5432/test', poolSize: 2 }) },
    { name: 'firestore', driver: () => firestore({ projectId: `chatcore-enc-${randomBytes(4).toString('hex')}`, emulatorHost: emulator.host }) },
  ];
}

/** A short random suffix for table names, so that runs against a shared PostgreSQL do not meet. */
export function suffix(): string {
  return randomBytes(4).toString('hex');
}
