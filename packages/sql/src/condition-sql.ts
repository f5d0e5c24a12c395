import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { CmpOp, Condition, TextMatch } from '@chatcore/core/driver';
import type { SchemaPlan } from './schema-plan.js';
import type { SlotAllocator } from './statement-shape.js';

const OPS: Record<CmpOp, string> = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/**
 * Escape a prefix for LIKE: `\`, `%` and `_` lose their wildcard meaning, so
 * `startsWith('50%')` matches only values that begin with "50%".
 *
 * @example
 * ```ts
 * likePrefix('a_b'); // 'a\\_b%'
 * ```
 */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The LIKE pattern of a literal text test: `\`, `%` and `_` escaped, with
 * `%` where the match leaves the value open.
 *
 * @example
 * ```ts
 * likePattern('contains', '50%'); // '%50\\%%'
 * ```
 */
export function likePattern(match: TextMatch, value: string): string {
  const escaped = value.replace(/[\\%_]/g, (c) => `\\${c}`);
  switch (match) {
    case 'equals': return escaped;
    case 'startsWith': return `${escaped}%`;
    case 'contains': return `%${escaped}%`;
    case 'endsWith': return `%${escaped}`;
  }
}

/**
 * Case-insensitive text compares lowercase forms made with ICU's root
 * locale ("und-x-icu"), whatever the column's collation ("C", which would
 * lowercase ASCII only) or the server's locale: the Unicode default
 * lowercase mapping, the same as JavaScript's `toLowerCase()`.
 */
const FOLD = sql.raw('collate "und-x-icu"');

/**
 * Walk a condition once per call: returns the shape key (structure only, no
 * values) and pushes the parameter values in the order `compileCondition`
 * allocates slots. Both walks must visit nodes in the same order.
 *
 * @example
 * ```ts
 * const values: unknown[] = []; const key = describeCondition(plan, where, values);
 * ```
 */
export function describeCondition(plan: SchemaPlan, c: Condition, values: unknown[]): string {
  switch (c.kind) {
    case 'cmp': {
      const f = plan.field(c.field);
      values.push(f.encode && c.value !== null ? f.encode(c.value) : c.value);
      return `c:${c.field}:${c.op}`;
    }
    case 'in': {
      const f = plan.field(c.field);
      if (c.values.length === 0) return `i:${c.field}:${c.negate ? 1 : 0}:0`;
      values.push(f.encode ? c.values.map((v) => (v === null ? null : f.encode!(v))) : c.values);
      return `i:${c.field}:${c.negate ? 1 : 0}`;
    }
    case 'isNull':
      plan.field(c.field);
      return `n:${c.field}:${c.isNull ? 1 : 0}`;
    case 'startsWith':
      plan.field(c.field);
      values.push(likePrefix(c.prefix));
      return `s:${c.field}:${c.negate ? 1 : 0}`;
    case 'text':
      plan.field(c.field);
      values.push(likePattern(c.match, c.value));
      return `t:${c.field}:${c.match === 'equals' ? 'e' : 'l'}:${c.insensitive ? 1 : 0}:${c.negate ? 1 : 0}`;
    case 'array':
      plan.field(c.field);
      values.push(c.values);
      return `r:${c.field}:${c.match}:${c.negate ? 1 : 0}`;
    case 'and':
    case 'or': {
      let key = c.kind === 'and' ? 'a(' : 'o(';
      for (const child of c.conditions) key += `${describeCondition(plan, child, values)},`;
      return `${key})`;
    }
  }
}

/**
 * Compile a condition to a Kysely boolean expression with a slot for every
 * value. Columns come from the schema plan; the operator from a fixed table.
 * Null semantics follow SQL three-valued logic, which is what every chatcore
 * backend promises: `ne`, `notIn` and negated `startsWith` never match NULL.
 *
 * @example
 * ```ts
 * const where = compileCondition(plan, cond, new SlotAllocator());
 * ```
 */
export function compileCondition(plan: SchemaPlan, c: Condition, alloc: SlotAllocator): RawBuilder<SqlBool> {
  switch (c.kind) {
    case 'cmp': {
      const f = plan.field(c.field);
      return sql<SqlBool>`${sql.ref(f.column)} ${sql.raw(OPS[c.op])} ${alloc.slot()}`;
    }
    case 'in': {
      const f = plan.field(c.field);
      if (c.values.length === 0) return c.negate ? sql<SqlBool>`${sql.ref(f.column)} is not null` : sql<SqlBool>`false`;
      const list = sql`${alloc.slot()}::${sql.raw(f.scalarType)}[]`;
      return c.negate ? sql<SqlBool>`${sql.ref(f.column)} <> all(${list})` : sql<SqlBool>`${sql.ref(f.column)} = any(${list})`;
    }
    case 'isNull': {
      const f = plan.field(c.field);
      return c.isNull ? sql<SqlBool>`${sql.ref(f.column)} is null` : sql<SqlBool>`${sql.ref(f.column)} is not null`;
    }
    case 'startsWith': {
      const f = plan.field(c.field);
      const like = sql<SqlBool>`${sql.ref(f.column)} like ${alloc.slot()}`;
      return c.negate ? sql<SqlBool>`not (${like})` : like;
    }
    case 'text': {
      const f = plan.field(c.field);
      const col = c.insensitive ? sql`lower(${sql.ref(f.column)} ${FOLD}) collate "C"` : sql.ref(f.column);
      const slot = alloc.slot();
      const value = c.insensitive ? sql`lower(${slot}::text ${FOLD}) collate "C"` : slot;
      // An exact match needs no pattern: the value was escaped for LIKE, so compare with LIKE all the same.
      const test = sql<SqlBool>`${col} like ${value}`;
      return c.negate ? sql<SqlBool>`not (${test})` : test;
    }
    case 'array': {
      const f = plan.field(c.field);
      const list = sql`${alloc.slot()}::${sql.raw(f.sqlType)}`;
      const test = c.match === 'some' ? sql<SqlBool>`${sql.ref(f.column)} && ${list}` : sql<SqlBool>`${sql.ref(f.column)} @> ${list}`;
      return c.negate ? sql<SqlBool>`not (${test})` : test;
    }
    case 'and':
    case 'or': {
      if (c.conditions.length === 0) return c.kind === 'and' ? sql<SqlBool>`true` : sql<SqlBool>`false`;
      const parts = c.conditions.map((child) => compileCondition(plan, child, alloc));
      if (parts.length === 1) return parts[0]!;
      return sql<SqlBool>`(${sql.join(parts, sql.raw(c.kind === 'and' ? ' and ' : ' or '))})`;
    }
  }
}
