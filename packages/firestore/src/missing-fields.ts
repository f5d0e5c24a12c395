import type { Firestore } from '@google-cloud/firestore';
import type { RepositorySchema } from '@chatcore/core/driver';
import { countIn } from './derived-fields.js';

/** The stored fields to look for: every declared one but the id (the document's name) and derived ones (checked by source). */
function fieldsOf(schema: RepositorySchema): string[] {
  return Object.entries(schema.fields).filter(([name, meta]) => name !== 'id' && meta.derivedFrom === undefined).map(([name]) => name);
}

/**
 * Declared fields that stored documents lack altogether: documents written
 * before a field was added to the repository (or by code that did not
 * declare it) do not hold it, and Firestore leaves a document out of a null
 * test or an order by a field it lacks, where SQL, which adds the column to
 * every row, finds them. One count of each collection and one count ordered
 * by each declared field, in one read-only transaction (one snapshot);
 * Firestore bills a count one read per 1000 index entries it counts, so
 * `connect()` does not run this, `chatcore schema plan|verify` do
 * (`ensureSchema` with `thorough`). Worded as the other schema differences.
 *
 * @example
 * ```ts
 * const drift = await missingFields(driver.firestore, [...db.schemas.values()]);
 * if (drift.length) throw new SchemaDriftError(drift);
 * ```
 */
export async function missingFields(db: Firestore, schemas: readonly RepositorySchema[]): Promise<string[]> {
  const found = await db.runTransaction((t) => Promise.all(schemas.map(async (schema) => {
    const col = db.collection(schema.table);
    const total = await countIn(t, col.count());
    const fields = total === 0 ? [] : fieldsOf(schema);
    return { schema, total, held: await Promise.all(fields.map((f) => countIn(t, col.orderBy(f).count()))), fields };
  })), { readOnly: true });
  const out: string[] = [];
  for (const { schema, total, held, fields } of found) {
    fields.forEach((field, i) => {
      const lack = total - held[i]!;
      if (lack > 0) out.push(`${schema.table}.${field} (${schema.name}.${field}) is missing from ${lack} of ${total} existing documents (written before it was declared), so a null test or an order by ${field} leaves them out; add it with a migration (chatcore migrate create plans the addField that stores it)`);
    });
  }
  return out;
}
