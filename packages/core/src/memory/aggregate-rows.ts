import type { StoredRow } from '../driver/driver.js';
import type { AggregateMeasure, AggregateRow, NormalizedAggregate } from '../query/aggregate.js';
import { aggregateOutOfRange } from '../query/aggregate-range.js';
import { integerAverage } from '../query/exact-average.js';
import { compareValues, valueKey } from './compare-values.js';

function isNullish(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

/** A sum of doubles past the double range is an error on every backend (SQL: 22003), never Infinity. */
function finite(m: AggregateMeasure, total: number): number {
  if (!Number.isFinite(total)) throw aggregateOutOfRange([m]);
  return total;
}

/** One measure over the rows of a group (SQL semantics: nulls ignored; sum/avg/min/max of nothing is null). */
function measure(m: AggregateMeasure, rows: readonly StoredRow[]): unknown {
  if (m.field === null) return rows.length;
  const values = rows.map((r) => r[m.field!]).filter((v) => !isNullish(v));
  if (m.fn === 'count') return values.length;
  if (values.length === 0) return null;
  switch (m.fn) {
    case 'sum':
      return typeof values[0] === 'bigint' ? (values as bigint[]).reduce((a, b) => a + b, 0n) : finite(m, (values as number[]).reduce((a, b) => a + b, 0));
    case 'avg':
      return typeof values[0] === 'bigint'
        ? integerAverage((values as bigint[]).reduce((a, b) => a + b, 0n), BigInt(values.length))
        : finite(m, (values as number[]).reduce((a, b) => a + b, 0)) / values.length;
    case 'min':
      return values.reduce((a, b) => (compareValues(b, a) < 0 ? b : a));
    case 'max':
      return values.reduce((a, b) => (compareValues(b, a) > 0 ? b : a));
  }
}

function compareNullable(a: unknown, b: unknown): number {
  if (isNullish(a) || isNullish(b)) return isNullish(a) && isNullish(b) ? 0 : isNullish(a) ? -1 : 1;
  return compareValues(a, b);
}

/**
 * The reference aggregate over rows that already match the filter: group,
 * measure, order (nulls first ascending, last descending), limit. A sum
 * or average of doubles past the double range throws `aggregateOutOfRange`.
 *
 * @example
 * ```ts
 * aggregateRows(rows, { groupBy: ['role'], measures: [{ fn: 'count', field: null }], orderBy: [{ group: 0, direction: 'asc' }] });
 * ```
 */
export function aggregateRows(rows: readonly StoredRow[], agg: NormalizedAggregate): AggregateRow[] {
  const groups = new Map<string, { group: unknown[]; rows: StoredRow[] }>();
  for (const row of rows) {
    const group = agg.groupBy.map((f) => (isNullish(row[f]) ? null : row[f]));
    const key = group.map((v) => (v === null ? 'null' : valueKey(v))).join('\u0000');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { group, rows: [] }));
    g.rows.push(row);
  }
  // Without groupBy there is always one result, even over no rows (count 0).
  if (agg.groupBy.length === 0 && groups.size === 0) groups.set('', { group: [], rows: [] });
  const out: AggregateRow[] = [...groups.values()].map((g) => ({ group: g.group, values: agg.measures.map((m) => measure(m, g.rows)) }));
  out.sort((a, b) => {
    for (const t of agg.orderBy) {
      const r = t.group !== undefined ? compareNullable(a.group[t.group], b.group[t.group]) : compareNullable(a.values[t.measure!], b.values[t.measure!]);
      if (r !== 0) return t.direction === 'desc' ? -r : r;
    }
    return 0;
  });
  return agg.limit === undefined ? out : out.slice(0, agg.limit);
}
