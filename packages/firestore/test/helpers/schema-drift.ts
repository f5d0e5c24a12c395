import * as assert from 'uvu/assert';
import { SchemaDriftError } from '@chatcore/core';
import type { FirestoreDriver } from '../../src/index.js';

/** Every document of a collection by id, as stored (to show a refused check wrote nothing). */
export async function storedDocuments(driver: FirestoreDriver, table: string): Promise<Record<string, unknown>> {
  const snap = await driver.firestore.collection(table).get();
  return Object.fromEntries(snap.docs.map((d) => [d.id, d.data()]));
}

/** The SchemaDriftError `run` rejects with (fails the test if it resolves or rejects otherwise). */
export async function schemaRefusal(run: Promise<unknown>): Promise<SchemaDriftError> {
  const err = await run.then(() => undefined, (e: unknown) => e);
  assert.instance(err, SchemaDriftError, 'should have raised SchemaDriftError');
  return err as SchemaDriftError;
}
