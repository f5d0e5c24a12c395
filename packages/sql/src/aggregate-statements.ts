import { sql, type RawBuilder } from 'kysely';
import { DriverError } from '@chatcore/core';
import { aggregateOutOfRange, integerAverage, type AggregateRow, type NormalizedAggregate } from '@chatcore/core/driver';
import type { SchemaPlan } from './schema-plan.js';
import type { SqlStatement } from './sql-executor.js';
import { compileCondition, describeCondition } from './condition-sql.js';
import { bindShape, compiler, SlotAllocator, toShape } from './statement-shape.js';

const FN_SQL = { count: 'count', sum: 'sum', avg: 'avg', min: 'min', max: 'max' } as const;
/** PostgreSQL has no min / max of boolean; false < true makes them bool_and / bool_or. */
const BOOL_SQL = { min: 'bool_and', max: 'bool_or' } as const;

function measureFn(plan: SchemaPlan, m: NormalizedAggregate['measures'][number]): string {
  if ((m.fn === 'min' || m.fn === 'max') && plan.field(m.field!).meta.type === 'boolean') return BOOL_SQL[m.fn];
  return FN_SQL[m.fn];
}

/**
 * One measure as SQL. The average of a `number` (double precision) field is
 * sum / count: PostgreSQL's avg(float8) also adds up the squares, which
 * overflow for values past about 1e154 whose average is well in range.
 * A null sum (no values) divides to null, as avg gives. A mean that
 * rounds to zero (a sum of subnormals, e.g. 5e-324 over two values) is
 * zero with the sum's sign, as in JavaScript: PostgreSQL's division raises
 * 22003 instead. The average of an integer or bigint field comes back as
 * its exact sum and count (`"sum/count"`, null without values), divided
 * in the client by integerAverage: PostgreSQL's avg is an exact numeric,
 * but cut to about 17 significant digits, and reading that decimal as a
 * double rounds a second time (230155955.45454544 for 2531715510 / 11,
 * whose nearest double is ...547).
 */
function measureSql(plan: SchemaPlan, m: NormalizedAggregate['measures'][number]): RawBuilder<unknown> {
  if (m.field === null) return sql`count(*)`;
  const col = sql.ref(plan.field(m.field).column);
  if (isIntegerAverage(plan, m)) return sql`sum(${col})::text || '/' || count(${col})::text`;
  if (m.fn === 'avg' && plan.field(m.field).meta.type === 'number') {
    const s = sql`sum(${col})`;
    const n = sql`count(${col})::double precision`;
    return sql`case when abs(${s}) >= ${n} * 1e-300::double precision then ${s} / ${n} when abs(${s}) * 2 <= ${n} * 5e-324::double precision then ${s} * 0 else ${s} / ${n} end`;
  }
  return sql`${sql.raw(measureFn(plan, m))}(${col})`;
}

function isIntegerAverage(plan: SchemaPlan, m: NormalizedAggregate['measures'][number]): boolean {
  if (m.fn !== 'avg' || m.field === null) return false;
  const type = plan.field(m.field).meta.type;
  return type === 'integer' || type === 'bigint';
}

/** What an order term sorts by: a group or measure alias, or (an integer average, selected as text) the exact avg. */
function orderRef(plan: SchemaPlan, agg: NormalizedAggregate, t: NormalizedAggregate['orderBy'][number]): RawBuilder<unknown> {
  if (t.group !== undefined) return sql.ref(`g${t.group}`) as never;
  const m = agg.measures[t.measure!]!;
  return isIntegerAverage(plan, m) ? sql`avg(${sql.ref(plan.field(m.field!).column)})` : (sql.ref(`m${t.measure}`) as never);
}

/**
 * One SELECT ... GROUP BY for an aggregate: group columns as `g0..`,
 * measures as `m0..`, ordered with nulls first ascending and last
 * descending (as everywhere in chatcore), limit as a parameter. Min and
 * max of a boolean field are bool_and and bool_or; the average of a number
 * field is its sum over its count.
 *
 * @example
 * ```ts
 * const stmt = aggregateStatement(plan, { groupBy: ['role'], measures: [{ fn: 'count', field: null }], orderBy: [{ group: 0, direction: 'asc' }] });
 * ```
 */
export function aggregateStatement(plan: SchemaPlan, agg: NormalizedAggregate): SqlStatement {
  const values: unknown[] = [];
  let key = 'a|';
  if (agg.where) key += describeCondition(plan, agg.where, values);
  key += `|${agg.groupBy.join(',')}|${agg.measures.map((m) => `${m.fn}:${m.field ?? '*'}`).join(',')}|`;
  key += agg.orderBy.map((t) => `${t.group !== undefined ? `g${t.group}` : `m${t.measure}`}${t.direction === 'asc' ? 'a' : 'd'}`).join(',');
  if (agg.limit !== undefined) { values.push(agg.limit); key += '|L'; }
  const shape = plan.shape(key, () => {
    const alloc = new SlotAllocator();
    const groups = agg.groupBy.map((f) => sql.ref(plan.field(f).column));
    const selections: Array<ReturnType<RawBuilder<unknown>['as']>> = [
      ...groups.map((g, i) => sql`${g}`.as(`g${i}`)),
      ...agg.measures.map((m, i) => measureSql(plan, m).as(`m${i}`)),
    ];
    let qb = compiler.selectFrom(plan.table).select(selections);
    if (agg.where) qb = qb.where(compileCondition(plan, agg.where, alloc));
    if (groups.length) qb = qb.groupBy(groups);
    for (const t of agg.orderBy) {
      qb = qb.orderBy(sql`${orderRef(plan, agg, t)} ${sql.raw(t.direction === 'asc' ? 'asc nulls first' : 'desc nulls last')}`);
    }
    if (agg.limit !== undefined) qb = qb.limit(alloc.slot() as never);
    return toShape(qb.compile(), true);
  });
  return bindShape(shape, values, true);
}

/** An integer average selected as `"sum/count"`, divided exactly. */
function integerAverageOf(v: unknown): number {
  const text = String(v);
  const at = text.indexOf('/');
  return integerAverage(BigInt(text.slice(0, at)), BigInt(text.slice(at + 1)));
}

/**
 * Turn the rows of `aggregateStatement` into AggregateRows: group values
 * through the field decoders, counts as numbers, sums of bigint fields as
 * bigints (PostgreSQL returns numeric text), other sums and averages as
 * numbers (integer averages divided exactly), min / max in the field's type.
 *
 * @example
 * ```ts
 * const groups = decodeAggregate(plan, agg, result.rows);
 * ```
 */
export function decodeAggregate(plan: SchemaPlan, agg: NormalizedAggregate, rows: readonly Record<string, unknown>[]): AggregateRow[] {
  const groupDecoders = agg.groupBy.map((f) => plan.field(f).decode);
  const measureDecoders = agg.measures.map((m): ((v: unknown) => unknown) => {
    if (m.fn === 'count') return Number;
    const f = plan.field(m.field!);
    if (m.fn === 'avg') return f.meta.type === 'integer' || f.meta.type === 'bigint' ? integerAverageOf : Number;
    if (m.fn === 'sum') return f.meta.type === 'bigint' ? (v) => BigInt(String(v)) : Number;
    return f.decode ?? ((v) => v);
  });
  return rows.map((r) => ({
    group: groupDecoders.map((d, i) => {
      const v = r[`g${i}`];
      return v === null || v === undefined ? null : d ? d(v) : v;
    }),
    values: measureDecoders.map((d, i) => {
      const v = r[`m${i}`];
      return v === null || v === undefined ? null : d(v);
    }),
  }));
}

/**
 * The error of a failed aggregate statement: an overflow (SQLSTATE 22003,
 * which only sums and averages of double precision columns can raise
 * here) becomes the read's out-of-range error naming those measures;
 * anything else is returned as it is.
 *
 * @example
 * ```ts
 * const { rows } = await run(aggregateStatement(plan, agg)).catch((e: unknown) => { throw aggregateError(plan, agg, e); });
 * ```
 */
export function aggregateError(plan: SchemaPlan, agg: NormalizedAggregate, err: unknown): unknown {
  if (!(err instanceof DriverError) || err.info.sqlState !== '22003') return err;
  const doubles = agg.measures.filter((m) => (m.fn === 'sum' || m.fn === 'avg') && m.field !== null && plan.field(m.field).meta.type === 'number');
  return aggregateOutOfRange(doubles, { sqlState: '22003' });
}
