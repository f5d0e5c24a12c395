import type { Firestore } from '@google-cloud/firestore';
import { SchemaDriftError } from '@chatcore/core';
import type { RepositorySchema, SchemaReport } from '@chatcore/core/driver';
import { assertSchemaNames } from './document-rules.js';
import { planIndexes } from './index-plan.js';
import { uniqueKeys } from './unique-locks.js';
import { unfilledDerivedFields } from './derived-fields.js';
import { missingFields } from './missing-fields.js';

/**
 * The Firestore driver's `ensureSchema`, the same in both modes: there is
 * nothing to create (collections appear on first write), so it reports the
 * composite indexes to deploy. It refuses (SchemaDriftError, as the SQL
 * drivers refuse to add the column) a derived field (`derivedFrom`, e.g.
 * the blind index of a field made searchable) that documents holding its
 * source lack, null values included: only a migration that stores and
 * backfills it fixes that. With `thorough` (`chatcore schema plan|verify`)
 * it refuses, too, any declared field that documents lack (missingFields).
 * `info.destructive` lists those differences, `info.additive` is
 * empty, and `info.notes` and `info.artifacts` are the report's (read by
 * `chatcore schema plan`).
 *
 * @example
 * ```ts
 * const report = await ensureFirestoreSchema(driver.firestore, [...db.schemas.values()]);
 * console.log(report.notes);
 * ```
 */
export async function ensureFirestoreSchema(db: Firestore, schemas: readonly RepositorySchema[], options: { readonly thorough?: boolean } = {}): Promise<SchemaReport> {
  for (const s of schemas) assertSchemaNames(s);
  const file = planIndexes(schemas);
  const notes = [
    'Firestore creates collections on first write; nothing was created.',
    `Deploy the ${file.indexes.length} composite index(es) in artifacts.firestoreIndexes as firestore.indexes.json (firebase deploy --only firestore:indexes, or gcloud firestore indexes composite create).`,
  ];
  const locks = schemas.filter((s) => uniqueKeys(s).length).map((s) => `${s.table}__unique`);
  if (locks.length) notes.push(`Unique fields are enforced with lock documents in ${locks.join(', ')}; do not write those collections by hand.`);
  const artifacts = { firestoreIndexes: file };
  const drift = await unfilledDerivedFields(db, schemas);
  if (options.thorough) drift.push(...(await missingFields(db, schemas)));
  // The indexes are still due with the migration: a refused `schema plan` can write them too.
  if (drift.length) throw new SchemaDriftError(drift, { info: { additive: [], destructive: drift, notes, artifacts } });
  return { applied: [], notes, artifacts };
}
