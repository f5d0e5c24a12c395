import { sql, type Expression, type SqlBool } from 'kysely';
import type { Condition, NormalizedQuery } from '@chatcore/core/driver';
import type { SchemaPlan } from './schema-plan.js';
import type { SqlStatement } from './sql-executor.js';
import { compileCondition, describeCondition } from './condition-sql.js';
import { compileKeyset, describeOrder, orderTerms } from './order-sql.js';
import { bindShape, compiler, SlotAllocator, toShape } from './statement-shape.js';
import { throughStatement } from './through-statement.js';

/**
 * SELECT by ids: `id = $1` for one id (the hot path of `repo.get`), `id =
 * any($1::text[])` for several, so every batch size shares one shape.
 *
 * @example
 * ```ts
 * const stmt = getByIdsStatement(plan, [id], undefined);
 * ```
 */
export function getByIdsStatement(plan: SchemaPlan, ids: readonly string[], select: readonly string[] | undefined): SqlStatement {
  const one = ids.length === 1;
  const key = select ? `g${one ? 1 : 'n'}|${select.join(',')}` : one ? 'g1|*' : 'gn|*';
  const shape = plan.shape(key, () => {
    const alloc = new SlotAllocator();
    const id = sql.ref(plan.field('id').column);
    const where = one ? sql<SqlBool>`${id} = ${alloc.slot()}` : sql<SqlBool>`${id} = any(${alloc.slot()}::text[])`;
    return toShape(compiler.selectFrom(plan.table).select(plan.selection(select)).where(where).compile(), true);
  });
  return bindShape(shape, [one ? ids[0] : ids], true);
}

/**
 * SELECT for a normalized query: filter, keyset position, order (NULLS
 * FIRST/LAST as DESIGN 7a fixes), limit and offset as parameters.
 *
 * @example
 * ```ts
 * const stmt = queryStatement(plan, { where, orderBy: [{ field: 'id', direction: 'asc' }], limit: 20 });
 * ```
 */
export function queryStatement(plan: SchemaPlan, q: NormalizedQuery): SqlStatement {
  if (q.through) return throughStatement(plan, q);
  const lateral = q.limitPerGroup ? lateralPerGroup(plan, q) : undefined;
  if (lateral) return lateral;
  const values: unknown[] = [];
  let key = 'q|';
  if (q.where) key += describeCondition(plan, q.where, values);
  key += `|${describeOrder(plan, q.orderBy, q.after, values)}`;
  if (q.limitPerGroup) { values.push(q.limitPerGroup.limit); key += `|G${q.limitPerGroup.field}`; }
  if (q.limit !== undefined) { values.push(q.limit); key += '|L'; }
  if (q.offset !== undefined) { values.push(q.offset); key += '|O'; }
  key += `|${q.select ? q.select.join(',') : '*'}`;
  if (q.distinct) key += `|D${q.distinct.join(',')}`;
  const shape = plan.shape(key, () => {
    const alloc = new SlotAllocator();
    const conds: Expression<SqlBool>[] = [];
    if (q.where) conds.push(compileCondition(plan, q.where, alloc));
    if (q.after) conds.push(compileKeyset(plan, q.orderBy, q.after, alloc));
    if (q.distinct) return toShape(distinctQuery(plan, q, q.distinct, conds, alloc).compile(), true);
    if (q.limitPerGroup) return toShape(perGroupQuery(plan, q, q.limitPerGroup.field, conds, alloc).compile(), true);
    let qb = compiler.selectFrom(plan.table).select(plan.selection(q.select));
    if (conds.length) qb = qb.where(conds.length === 1 ? conds[0]! : sql<SqlBool>`${sql.join(conds, sql.raw(' and '))}`);
    for (const term of orderTerms(plan, q.orderBy)) qb = qb.orderBy(term);
    if (q.limit !== undefined) qb = qb.limit(alloc.slot() as never);
    if (q.offset !== undefined) qb = qb.offset(alloc.slot() as never);
    return toShape(qb.compile(), true);
  });
  return bindShape(shape, values, true);
}

/**
 * `distinct`: DISTINCT ON (the keys) keeps the first row of each group in
 * the order "keys, then the query's order", inside a subquery; the outer
 * query puts the survivors back in the query's order and pages them.
 */
function distinctQuery(plan: SchemaPlan, q: NormalizedQuery, keys: readonly string[], conds: Expression<SqlBool>[], alloc: SlotAllocator) {
  const cols = keys.map((k) => sql.ref(plan.field(k).column));
  let inner = compiler.selectFrom(plan.table).distinctOn(cols as never).selectAll();
  if (conds.length) inner = inner.where(conds.length === 1 ? conds[0]! : sql<SqlBool>`${sql.join(conds, sql.raw(' and '))}`);
  for (const c of cols) inner = inner.orderBy(c);
  for (const term of orderTerms(plan, q.orderBy)) inner = inner.orderBy(term);
  let qb = compiler.selectFrom(inner.as('d')).select(plan.selection(q.select));
  for (const term of orderTerms(plan, q.orderBy)) qb = qb.orderBy(term);
  if (q.limit !== undefined) qb = qb.limit(alloc.slot() as never);
  if (q.offset !== undefined) qb = qb.offset(alloc.slot() as never);
  return qb;
}

/**
 * `limitPerGroup` over an `in` list of the group field (what include
 * sends): one lateral subquery per listed value, each reading only its
 * first n rows (an index on the group field and the order serves it),
 * instead of ranking every row of every group. Without an overall limit
 * the rows are returned group by group, not sorted again as a whole.
 */
function lateralPerGroup(plan: SchemaPlan, q: NormalizedQuery): SqlStatement | undefined {
  const group = q.limitPerGroup!;
  const parts: readonly Condition[] = q.where?.kind === 'and' ? q.where.conditions : q.where ? [q.where] : [];
  const at = parts.findIndex((c) => c.kind === 'in' && c.field === group.field && !c.negate && c.values.length > 0);
  if (at === -1 || q.after || q.offset !== undefined || q.distinct) return undefined;
  const keys = parts[at] as Extract<Condition, { kind: 'in' }>;
  const others = parts.filter((_, i) => i !== at);
  const rest: Condition | undefined = others.length === 0 ? undefined : others.length === 1 ? others[0] : { kind: 'and', conditions: others };
  const f = plan.field(group.field);
  const values: unknown[] = [f.encode ? keys.values.map((v) => (v === null ? null : f.encode!(v))) : keys.values];
  let key = `qg|${group.field}|`;
  if (rest) key += describeCondition(plan, rest, values);
  key += `|${describeOrder(plan, q.orderBy, undefined, values)}`;
  values.push(group.limit);
  if (q.limit !== undefined) { values.push(q.limit); key += '|L'; }
  key += `|${q.select ? q.select.join(',') : '*'}`;
  const shape = plan.shape(key, () => {
    // Slots in the order of `values`: the key list, the other conditions, the per-group limit, the limit.
    const alloc = new SlotAllocator();
    const list = alloc.slot();
    const conds: Expression<SqlBool>[] = [sql<SqlBool>`${sql.ref(f.column)} = ${sql.ref('k.__group_key')}`];
    if (rest) conds.push(compileCondition(plan, rest, alloc));
    const terms = orderTerms(plan, q.orderBy);
    let inner = compiler.selectFrom(plan.table).selectAll().where(sql<SqlBool>`${sql.join(conds, sql.raw(' and '))}`);
    for (const term of terms) inner = inner.orderBy(term);
    inner = inner.limit(alloc.slot() as never);
    const from = sql`(select g.* from unnest(${list}::${sql.raw(f.scalarType)}[]) as k(__group_key) cross join lateral (${inner}) as g)`;
    let qb = compiler.selectFrom(from.as('s') as never).select(plan.selection(q.select));
    // Without an overall limit only each group's order counts (NormalizedQuery.limitPerGroup): the
    // rows come group after group, each in order, and the server skips a sort of all of them.
    if (q.limit !== undefined) {
      for (const term of terms) qb = qb.orderBy(term);
      qb = qb.limit(alloc.slot() as never);
    }
    return toShape(qb.compile(), true);
  });
  return bindShape(shape, values, true);
}

/**
 * `limitPerGroup`: row_number() over the group field, in the query's order,
 * inside a subquery; the outer query keeps the first n of each group and
 * puts them back in the query's order. One statement for every parent.
 */
function perGroupQuery(plan: SchemaPlan, q: NormalizedQuery, field: string, conds: Expression<SqlBool>[], alloc: SlotAllocator) {
  const terms = orderTerms(plan, q.orderBy);
  const rank = sql<number>`row_number() over (partition by ${sql.ref(plan.field(field).column)} order by ${sql.join(terms, sql.raw(', '))})`;
  let inner = compiler.selectFrom(plan.table).selectAll().select(rank.as('__rank'));
  if (conds.length) inner = inner.where(conds.length === 1 ? conds[0]! : sql<SqlBool>`${sql.join(conds, sql.raw(' and '))}`);
  let qb = compiler.selectFrom(inner.as('g')).select(plan.selection(q.select)).where(sql<SqlBool>`${sql.ref('__rank')} <= ${alloc.slot()}`);
  for (const term of terms) qb = qb.orderBy(term);
  if (q.limit !== undefined) qb = qb.limit(alloc.slot() as never);
  if (q.offset !== undefined) qb = qb.offset(alloc.slot() as never);
  return qb;
}

/**
 * SELECT count(*) for a filter.
 *
 * @example
 * ```ts
 * const stmt = countStatement(plan, where);
 * ```
 */
export function countStatement(plan: SchemaPlan, where: Condition | undefined): SqlStatement {
  const values: unknown[] = [];
  const key = `n|${where ? describeCondition(plan, where, values) : ''}`;
  const shape = plan.shape(key, () => {
    let qb = compiler.selectFrom(plan.table).select(sql<string>`count(*)`.as('n'));
    if (where) qb = qb.where(compileCondition(plan, where, new SlotAllocator()));
    return toShape(qb.compile(), true);
  });
  return bindShape(shape, values, true);
}
