import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { OrderTerm } from '@chatcore/core/driver';
import type { FieldPlan, SchemaPlan } from './schema-plan.js';
import type { Slot, SlotAllocator } from './statement-shape.js';

/**
 * Shape key of an ordering and its keyset position, pushing the non-null
 * `after` values in the order `compileKeyset` allocates their slots.
 *
 * @example
 * ```ts
 * const key = describeOrder(plan, query.orderBy, query.after, values);
 * ```
 */
export function describeOrder(plan: SchemaPlan, orderBy: readonly OrderTerm[], after: readonly unknown[] | undefined, values: unknown[]): string {
  let key = '';
  for (const t of orderBy) key += `${t.field}:${t.direction === 'asc' ? 'a' : 'd'},`;
  if (after) {
    key += '>';
    for (const [i, t] of orderBy.entries()) {
      const v = after[i];
      if (v === null || v === undefined) key += 'n';
      else {
        const f = plan.field(t.field);
        values.push(f.encode ? f.encode(v) : v);
        key += 'v';
      }
    }
  }
  return key;
}

/**
 * ORDER BY terms. Nulls sort first ascending and last descending on every
 * backend (DESIGN 7a); the clause is only spelled out for nullable columns,
 * so that NOT NULL columns keep matching plain btree indexes.
 *
 * @example
 * ```ts
 * for (const term of orderTerms(plan, query.orderBy)) qb = qb.orderBy(term);
 * ```
 */
export function orderTerms(plan: SchemaPlan, orderBy: readonly OrderTerm[]): RawBuilder<unknown>[] {
  return orderBy.map((t) => {
    const f = plan.field(t.field);
    const dir = t.direction === 'asc' ? 'asc' : 'desc';
    const nulls = f.nullable ? (t.direction === 'asc' ? ' nulls first' : ' nulls last') : '';
    return sql`${sql.ref(f.column)} ${sql.raw(dir + nulls)}`;
  });
}

/**
 * The keyset condition "strictly after `after` in this order", null-aware.
 * When every key is NOT NULL and shares one direction this is a row
 * comparison `(a, id) > ($1, $2)` that a composite index serves; otherwise
 * the expanded form: OR over i of (keys before i equal AND key i after).
 *
 * @example
 * ```ts
 * qb = qb.where(compileKeyset(plan, query.orderBy, query.after, alloc));
 * ```
 */
export function compileKeyset(plan: SchemaPlan, orderBy: readonly OrderTerm[], after: readonly unknown[], alloc: SlotAllocator): RawBuilder<SqlBool> {
  const fields = orderBy.map((t) => plan.field(t.field));
  const slots: Array<Slot | null> = orderBy.map((_, i) => (after[i] === null || after[i] === undefined ? null : alloc.slot()));
  const oneDirection = orderBy.every((t) => t.direction === orderBy[0]!.direction);
  if (oneDirection && fields.every((f) => !f.nullable) && slots.every((s) => s !== null)) {
    const op = orderBy[0]!.direction === 'asc' ? '>' : '<';
    if (fields.length === 1) return sql<SqlBool>`${sql.ref(fields[0]!.column)} ${sql.raw(op)} ${slots[0]}`;
    return sql<SqlBool>`(${sql.join(fields.map((f) => sql.ref(f.column)))}) ${sql.raw(op)} (${sql.join(slots)})`;
  }
  const disjuncts: RawBuilder<SqlBool>[] = [];
  for (let i = 0; i < fields.length; i++) {
    const beyond = afterTerm(fields[i]!, orderBy[i]!.direction, slots[i]!);
    if (beyond === null) continue;
    const parts = fields.slice(0, i).map((f, j) => equalTerm(f, slots[j]!));
    parts.push(beyond);
    disjuncts.push(parts.length === 1 ? parts[0]! : sql<SqlBool>`(${sql.join(parts, sql.raw(' and '))})`);
  }
  if (disjuncts.length === 0) return sql<SqlBool>`false`;
  return sql<SqlBool>`(${sql.join(disjuncts, sql.raw(' or '))})`;
}

function equalTerm(f: FieldPlan, slot: Slot | null): RawBuilder<SqlBool> {
  return slot === null ? sql<SqlBool>`${sql.ref(f.column)} is null` : sql<SqlBool>`${sql.ref(f.column)} = ${slot}`;
}

/** Values strictly after the position on one key, or null when nothing can be (desc after null). */
function afterTerm(f: FieldPlan, direction: 'asc' | 'desc', slot: Slot | null): RawBuilder<SqlBool> | null {
  const col = sql.ref(f.column);
  if (direction === 'asc') return slot === null ? sql<SqlBool>`${col} is not null` : sql<SqlBool>`${col} > ${slot}`;
  if (slot === null) return null;
  return f.nullable ? sql<SqlBool>`(${col} < ${slot} or ${col} is null)` : sql<SqlBool>`${col} < ${slot}`;
}
