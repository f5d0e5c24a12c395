import { sql, type Expression, type SqlBool } from 'kysely';
import { THROUGH_LINK, THROUGH_PARENT, type NormalizedQuery } from '@chatcore/core/driver';
import { planOf, type SchemaPlan } from './schema-plan.js';
import type { SqlStatement } from './sql-executor.js';
import { compileCondition, describeCondition } from './condition-sql.js';
import { describeOrder, orderTerms } from './order-sql.js';
import { bindShape, compiler, SlotAllocator, toShape } from './statement-shape.js';

/**
 * A `through` query (a many-to-many include with a per-parent limit) in one
 * statement: for each parent key, a lateral subquery reads the first n
 * targets linked to it through the join table (a semi-join on the join's
 * key fields, so duplicate links count once), in the query's order, with
 * the parent key and the id of a linking join row. The rows returned grow
 * with keys × n, never with the number of links. A single key (get,
 * findOne) is a parameter of a plain statement instead: the planner then
 * plans for that key (walk the target's order index for a parent with
 * many links, read the links for one with few), which it cannot do for a
 * key that comes from the lateral list.
 *
 * @example
 * ```ts
 * const stmt = throughStatement(planOf(tags), { orderBy, through: { schema: links, field: 'conversationId', targetField: 'tagId', keys, limit: 5 } });
 * ```
 */
export function throughStatement(plan: SchemaPlan, q: NormalizedQuery): SqlStatement {
  const through = q.through!;
  const join = planOf(through.schema);
  const parentKey = join.field(through.field);
  const keys = parentKey.encode ? through.keys.map((v) => parentKey.encode!(v)) : through.keys;
  const one = keys.length === 1;
  const values: unknown[] = [one ? keys[0] : keys];
  let key = `qt${one ? '1' : ''}|${join.table}|${through.field}|${through.targetField}|`;
  if (q.where) key += describeCondition(plan, q.where, values);
  key += `|${describeOrder(plan, q.orderBy, undefined, values)}`;
  values.push(through.limit);
  key += `|${q.select ? q.select.join(',') : '*'}`;
  const shape = plan.shape(key, () => {
    // Slots in the order of `values`: the key (or key list), the filter, the per-parent limit.
    const alloc = new SlotAllocator();
    const list = alloc.slot();
    const parent = one ? sql`${list}::${sql.raw(parentKey.scalarType)}` : sql.ref('k.__group_key');
    const jTable = sql`${sql.table(join.table)} as __j`;
    const jParent = sql.ref(`__j.${parentKey.column}`);
    const jTarget = sql.ref(`__j.${join.field(through.targetField).column}`);
    const tId = sql.ref(`__t.${plan.field('id').column}`);
    const linked = sql<SqlBool>`${tId} in (select ${jTarget} from ${jTable} where ${jParent} = ${parent})`;
    const conds: Expression<SqlBool>[] = [linked];
    if (q.where) conds.push(compileCondition(plan, q.where, alloc));
    const link = sql`(select ${sql.ref(`__j.${join.field('id').column}`)} from ${jTable} where ${jParent} = ${parent} and ${jTarget} = ${tId} order by 1 limit 1)`;
    const terms = orderTerms(plan, q.orderBy);
    let inner = compiler.selectFrom(`${plan.table} as __t` as never).selectAll('__t' as never)
      .select([parent.as(THROUGH_PARENT), link.as(THROUGH_LINK)] as never)
      .where(sql<SqlBool>`${sql.join(conds, sql.raw(' and '))}`);
    for (const term of terms) inner = inner.orderBy(term);
    inner = inner.limit(alloc.slot() as never);
    const from = one ? sql`(${inner})` : sql`(select g.* from unnest(${list}::${sql.raw(parentKey.scalarType)}[]) as k(__group_key) cross join lateral (${inner}) as g)`;
    let qb = compiler.selectFrom(from.as('s') as never).select(plan.selection(q.select)).select([sql.ref(THROUGH_PARENT).as(THROUGH_PARENT), sql.ref(THROUGH_LINK).as(THROUGH_LINK)] as never);
    for (const term of terms) qb = qb.orderBy(term);
    return toShape(qb.compile(), true);
  });
  return bindShape(shape, values, true);
}
