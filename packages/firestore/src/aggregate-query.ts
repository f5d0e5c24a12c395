import { AggregateField, type AggregateSpec } from '@google-cloud/firestore';
import { UnsupportedQueryError } from '@chatcore/core';
import { conditionFields } from '@chatcore/core/plugin';
import { aggregateOutOfRange, aggregateRows, evaluateCondition as matches, type AggregateMeasure, type AggregateRow, type NormalizedAggregate, type RepositorySchema, type StoredRow } from '@chatcore/core/driver';
import { idTargets } from './id-targets.js';
import { assertSchemaNames } from './document-rules.js';
import { checkFilter, filterShape, type FilterShape } from './query-limits.js';
import { buildQuery } from './native-query.js';
import type { DriverContext, Reader } from './reader.js';

/** Firestore runs at most this many aggregations in one aggregation query. */
const MAX_AGGREGATIONS = 5;

function unsupported(what: string, fix: string): UnsupportedQueryError {
  return new UnsupportedQueryError(`${what}. Fix: ${fix}. Nothing was sent.`, { info: { backend: 'firestore', limit: 'aggregate' } });
}

/**
 * Firestore sums integers in 64 bits and, past that range, answers with a
 * double: the exact total is lost, and a rounded one would be a wrong number.
 */
function bigSumOutOfRange(field: string): UnsupportedQueryError {
  return new UnsupportedQueryError(
    `The sum of ${field} over the matching records left the 64-bit integer range, and Firestore then answers with a rounded double instead of the exact total; no number was returned. Fix: sum over narrower filters and add the parts as bigints, or read the records and sum them.`,
    { info: { backend: 'firestore', limit: 'aggregate', reason: 'out-of-range', measures: [`sum(${field})`] } },
  );
}

/** Firestore answers Infinity for a sum of doubles past their range; every backend raises instead. */
function finite(m: AggregateMeasure, v: number): number {
  if (!Number.isFinite(v)) throw aggregateOutOfRange([m]);
  return v;
}

/**
 * Firestore computes a sum or average over a filter on the document id
 * from an index that holds the summed field after the id, and it has no
 * such index: it refuses the query (INVALID_ARGUMENT) unless every summed
 * field is also filtered by a range or inequality, which puts that field
 * first. Refused here, before sending. A top-level `id in [...]` never gets
 * here: those records are read and aggregated by the driver.
 */
function checkIdAggregate(schema: RepositorySchema, agg: NormalizedAggregate, shape: FilterShape): void {
  if (!conditionFields(agg.where).has('id')) return;
  const fields = [...new Set(agg.measures.filter((m) => m.fn === 'sum' || m.fn === 'avg').map((m) => m.field!))].filter((f) => !shape.inequalityFields.has(f));
  if (fields.length === 0) return;
  const list = fields.join(', ');
  throw new UnsupportedQueryError(
    `Firestore cannot sum or average ${list} of ${schema.name} over a filter on id: it would need an index with ${list} after the document id, which Firestore does not support. ` +
      `Fix: select the records with a top-level id: { in: [...] } (the driver then aggregates those records), filter on other fields than the id, ` +
      `or add a range that keeps every value on each summed field, e.g. ${fields[0]}: { isNull: false } or a gte bound (it changes no sum or average, but does change a count). Nothing was sent.`,
    { info: { backend: 'firestore', limit: 'idAggregate', measures: fields } },
  );
}

/**
 * Run an aggregate with one native aggregation query (count, sum,
 * average). Core has already refused groupBy, min, max and counts of a
 * field (capabilities).
 * Firestore's sum over no values is 0 where SQL's is null, so each sum
 * travels with an average of the same field (null exactly when there is no
 * value) to tell the two apart. A sum of a bigint field past the 64-bit
 * range, which Firestore answers as a double, is refused rather than
 * rounded. A filter on ids is served by reading those
 * documents and aggregating them here.
 *
 * @example
 * ```ts
 * const [row] = await aggregateQuery(ctx, reader, schema, { groupBy: [], measures: [{ fn: 'count', field: null }], orderBy: [] }, byIds);
 * ```
 */
export async function aggregateQuery(
  ctx: DriverContext, reader: Reader, schema: RepositorySchema, agg: NormalizedAggregate,
  byIds: (ids: readonly string[]) => Promise<StoredRow[]>,
): Promise<AggregateRow[]> {
  assertSchemaNames(schema);
  const spec: AggregateSpec = {};
  // One average per field, shared by an avg the caller asked for and the sum that needs it.
  const avgOf = (field: string) => {
    const alias = `avg_${Object.keys(schema.fields).indexOf(field)}`;
    spec[alias] ??= AggregateField.average(field);
    return alias;
  };
  const read: Array<(data: Record<string, unknown>) => unknown> = [];
  for (const [i, m] of agg.measures.entries()) {
    const field = m.field!;
    if (m.fn === 'count') {
      spec[`m${i}`] = AggregateField.count();
      read.push((d) => Number(d[`m${i}`]));
    } else if (m.fn === 'avg') {
      const alias = avgOf(field);
      read.push((d) => (d[alias] === null || d[alias] === undefined ? null : finite(m, Number(d[alias]))));
    } else {
      const type = schema.fields[field]!.type;
      spec[`m${i}`] = AggregateField.sum(field);
      const alias = avgOf(field);
      read.push((d) => {
        if (d[alias] === null || d[alias] === undefined) return null;
        const v = d[`m${i}`];
        if (type === 'bigint') {
          if (typeof v === 'bigint') return v;
          throw bigSumOutOfRange(field);
        }
        return finite(m, Number(v));
      });
    }
  }
  if (agg.where && agg.where.kind === 'or' && agg.where.conditions.length === 0) return aggregateRows([], agg);
  // Records selected by id are read and aggregated here: no aggregation query, so none of its limits.
  const targets = idTargets(agg.where);
  if (targets) return aggregateRows((await byIds(targets.ids)).filter((r) => matches(targets.rest, r)), agg);
  if (Object.keys(spec).length > MAX_AGGREGATIONS) {
    throw unsupported(`Firestore computes at most ${MAX_AGGREGATIONS} aggregations per query and this one needs ${Object.keys(spec).length} (each sum also takes an average, to tell "no values" from 0)`, 'split the measures over several aggregate calls');
  }
  const shape = filterShape(agg.where);
  checkFilter(schema, shape);
  checkIdAggregate(schema, agg, shape);
  const q = buildQuery(ctx.collection(schema), schema, { where: agg.where, orderBy: [] }, []);
  if (!q) return aggregateRows([], agg);
  const data = await reader.aggregate(q.aggregate(spec));
  return [{ group: [], values: read.map((r) => r(data)) }];
}
