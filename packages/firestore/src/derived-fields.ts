import type { AggregateQuery, AggregateSpec, Firestore, Query, Transaction } from '@google-cloud/firestore';
import type { RepositorySchema } from '@chatcore/core/driver';

/** A field computed from another (`FieldMeta.derivedFrom`), and the stored field that holds its source's values. */
interface Derived {
  readonly schema: RepositorySchema;
  readonly field: string;
  readonly from: string;
  /** The source's own field, or (record mode) the envelope that holds it. */
  readonly holder: string;
  readonly sealed: boolean;
}

function derivedOf(schema: RepositorySchema): Derived[] {
  const out: Derived[] = [];
  for (const [field, meta] of Object.entries(schema.fields)) {
    const from = meta.derivedFrom;
    if (from === undefined) continue;
    if (Object.hasOwn(schema.fields, from)) {
      out.push({ schema, field, from, holder: from, sealed: false });
      continue;
    }
    const envelope = Object.entries(schema.fields).find(([, m]) => m.holds && Object.hasOwn(m.holds, from));
    if (envelope) out.push({ schema, field, from, holder: envelope[0], sealed: true });
  }
  return out;
}

async function count(t: Transaction, query: AggregateQuery<AggregateSpec>): Promise<number> {
  return Number((await t.get(query)).data().count);
}

/**
 * How many documents hold a value of the source, and how many of those the
 * derived field serves. Field mode: the derived field has a value exactly
 * where its source has one (a blind index is null exactly when its value
 * is), so fewer values of it than of the source means documents it misses.
 * Record mode: the envelope hides which values are null, but every
 * document written with the derived field holds it (Firestore's driver
 * stores nulls), so documents that hold an envelope and lack the field
 * (an order by it leaves them out) are the ones it misses.
 */
function counts(t: Transaction, col: Query, d: Derived): Promise<[number, number]> {
  const served: Query = d.sealed ? col.orderBy(d.field) : col.where(d.field, '!=', null);
  return Promise.all([count(t, col.where(d.holder, '!=', null).count()), count(t, served.count())]);
}

/**
 * The differences that keep a derived field (`FieldMeta.derivedFrom`, e.g.
 * a blind index made searchable) from being used as it is: documents
 * written before it existed hold values of its source and none of it, so
 * lookups by the source would miss them until a migration backfills it.
 * Worded as the SQL drivers word the same refusal. Two aggregation (count)
 * queries per derived field, all in one read-only transaction, so they see
 * one snapshot; Firestore bills a count one read per 1000 index entries it
 * counts (at least one). An empty collection, or one whose source values
 * are all null, needs nothing.
 *
 * @example
 * ```ts
 * const drift = await unfilledDerivedFields(driver.firestore, [...db.schemas.values()]);
 * if (drift.length) throw new SchemaDriftError(drift);
 * ```
 */
export async function unfilledDerivedFields(db: Firestore, schemas: readonly RepositorySchema[]): Promise<string[]> {
  const derived = schemas.flatMap(derivedOf);
  if (derived.length === 0) return [];
  const found = await db.runTransaction((t) => Promise.all(derived.map((d) => counts(t, db.collection(d.schema.table), d))), { readOnly: true });
  const out: string[] = [];
  derived.forEach((d, i) => {
    const [held, served] = found[i]!;
    if (served >= held) return;
    const { name, table } = d.schema;
    out.push(`${table}.${d.field} (${name}.${d.field}) is missing and derives from ${name}.${d.from}, which existing rows have values of: added alone it would stay empty on them, so lookups by ${d.from} would miss them; add it with a migration that backfills it`);
  });
  return out;
}
