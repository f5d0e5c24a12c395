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

/**
 * The `count` of an aggregation query, read in a transaction.
 *
 * @example
 * ```ts
 * const n = await countIn(t, db.collection('items').orderBy('tag').count());
 * ```
 */
export async function countIn(t: Transaction, query: AggregateQuery<AggregateSpec>): Promise<number> {
  return Number((await t.get(query)).data().count);
}

/**
 * How many documents hold the source (its own field, null included, or in
 * record mode an envelope), and how many of them hold the derived field at
 * all (an order by a field leaves out the documents that lack it).
 * Firestore's driver stores every declared field, nulls included, so a
 * document written since the derived field was declared holds it, and one
 * written before does not: on those, a lookup by the source misses its value
 * and a null test (sent to the derived field) misses its null, until a
 * migration's schema step stores the field and its backfill fills it. A
 * document that holds the field with a value still to backfill counts as
 * served, as an SQL column counts once it exists.
 */
function counts(t: Transaction, col: Query, d: Derived): Promise<[number, number]> {
  const held: Query = d.sealed ? col.where(d.holder, '!=', null) : col.orderBy(d.holder);
  return Promise.all([countIn(t, held.count()), countIn(t, col.orderBy(d.field).count())]);
}

/**
 * The differences that keep a derived field (`FieldMeta.derivedFrom`, e.g.
 * a blind index made searchable) from being used as it is: documents
 * written before it existed hold its source and not it, so lookups by the
 * source (and null tests) would miss them until a migration stores and
 * backfills it. Worded close to the SQL drivers' refusal of the same
 * change. Two aggregation (count) queries per derived field, all in one
 * read-only transaction, so they see
 * one snapshot; Firestore bills a count one read per 1000 index entries it
 * counts (at least one). An empty collection needs nothing; one whose
 * source values are all null is refused too (unlike SQL, where adding the
 * column covers every row): a null test would miss its older documents.
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
    out.push(`${table}.${d.field} (${name}.${d.field}) is missing and derives from ${name}.${d.from}: ${held - served} of ${held} existing documents lack it, so lookups by ${d.from} (and null tests) would miss them; add it with a migration that stores and backfills it`);
  });
  return out;
}
