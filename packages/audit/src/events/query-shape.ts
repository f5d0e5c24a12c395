import { conditionFields, type Condition, type Operation } from '@chatcore/core/plugin';

function conditionShape(c: Condition): string {
  switch (c.kind) {
    case 'cmp': return `${c.op}(${c.field})`;
    case 'in': return `${c.negate ? 'notIn' : 'in'}(${c.field})`;
    case 'isNull': return `${c.isNull ? 'isNull' : 'notNull'}(${c.field})`;
    case 'startsWith': return `${c.negate ? 'notStartsWith' : 'startsWith'}(${c.field})`;
    case 'text': return `${c.negate ? 'not ' : ''}${c.match}${c.insensitive ? 'Insensitive' : ''}(${c.field})`;
    case 'array': return `${c.negate ? 'not ' : ''}${c.match === 'some' ? 'hasSome' : 'hasEvery'}(${c.field})`;
    case 'and': case 'or': return `${c.kind}(${c.conditions.map(conditionShape).join(',')})`;
  }
}

/**
 * The normalized shape of an operation: field names and operators, never
 * values, so that slow queries can be grouped ("which query shape is slow")
 * without leaking data.
 *
 * @example
 * ```ts
 * queryShape(op); // 'query where=and(eq(conversationId),gte(createdAt)) order=createdAt:desc,id:asc limit cursor'
 * ```
 */
export function queryShape(op: Operation): string {
  switch (op.kind) {
    case 'query': {
      const q = op.query;
      let s = 'query';
      if (q.where) s += ` where=${conditionShape(q.where)}`;
      s += ` order=${q.orderBy.map((t) => `${t.field}:${t.direction}`).join(',')}`;
      if (q.limit !== undefined) s += ' limit';
      if (q.offset) s += ' offset';
      if (q.after) s += ' cursor';
      if (q.select) s += ` select=${q.select.join(',')}`;
      if (q.distinct) s += ` distinct=${q.distinct.join(',')}`;
      return s;
    }
    case 'count': return op.where ? `count where=${conditionShape(op.where)}` : 'count';
    case 'aggregate': {
      const a = op.aggregate;
      let s = 'aggregate';
      if (a.where) s += ` where=${conditionShape(a.where)}`;
      if (a.groupBy.length) s += ` groupBy=${a.groupBy.join(',')}`;
      s += ` measures=${a.measures.map((m) => `${m.fn}(${m.field ?? '*'})`).join(',')}`;
      if (a.limit !== undefined) s += ' limit';
      return s;
    }
    case 'get': return 'get byIds';
    case 'rows': return 'rows by statement';
    case 'insert': return 'insert';
    case 'upsert': return `upsert conflict=${op.conflictFields.join(',')}`;
    case 'update': case 'delete': {
      let s = op.kind;
      if (op.target.ids) s += ' byIds';
      if (op.target.where) s += ` where=${conditionShape(op.target.where)}`;
      if (op.kind === 'update') s += ` set=${Object.keys(op.patch.set).sort().join(',')}`;
      return s;
    }
  }
}

/**
 * Field names an operation filters on or writes (names only), sorted.
 *
 * @example
 * ```ts
 * operationFields(op); // ['conversationId', 'createdAt']
 * ```
 */
export function operationFields(op: Operation): string[] {
  const out = new Set<string>();
  switch (op.kind) {
    case 'query': conditionFields(op.query.where, out); break;
    case 'count': conditionFields(op.where, out); break;
    case 'aggregate':
      conditionFields(op.aggregate.where, out);
      for (const f of op.aggregate.groupBy) out.add(f);
      for (const m of op.aggregate.measures) if (m.field !== null) out.add(m.field);
      break;
    case 'get': case 'rows': break;
    case 'insert':
      for (const row of op.rows.length > 20 ? op.rows.slice(0, 20) : op.rows) {
        for (const k in row) if (row[k] !== null && row[k] !== undefined) out.add(k);
      }
      break;
    case 'upsert':
      for (const k in op.row) if (op.row[k] !== null && op.row[k] !== undefined) out.add(k);
      break;
    case 'update':
      conditionFields(op.target.where, out);
      for (const k in op.patch.set) out.add(k);
      for (const k in op.patch.increment) out.add(k);
      break;
    case 'delete': conditionFields(op.target.where, out); break;
  }
  return [...out].sort();
}
