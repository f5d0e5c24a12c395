import type { Condition, NormalizedAggregate, OrderTerm } from '@chatcore/core/plugin';
import { UnsupportedQueryError } from '@chatcore/core';
import { blindIndexOf, type RepositoryPlan } from './repository-plan.js';

function unsupported(plan: RepositoryPlan, field: string, what: string): UnsupportedQueryError {
  const how = plan.mode === 'record'
    ? `it is sealed in ${plan.name}'s envelope (list it under clear to query it, or make it sensitive({ searchable: true }) for equality)`
    : 'it is encrypted (only equality and in work, through a blind index, on fields marked searchable)';
  return new UnsupportedQueryError(`${what} on ${plan.name}.${field} is not possible: ${how}. Nothing was sent to the database.`, { info: { repository: plan.name, field } });
}

/**
 * Rewrite a filter so that nothing below the encryption plugin sees a
 * plaintext value: `eq`/`in` on a searchable field become the same test on
 * its blind index (exact, null semantics included, because the index is
 * null exactly when the value is); `isNull` on an encrypted field tests its
 * ciphertext (field mode) or blind index; anything else on an encrypted or
 * sealed field, `ne` and `notIn` included (core refuses them first; this
 * covers operations other plugins send), raises UnsupportedQueryError.
 *
 * @example
 * ```ts
 * rewriteCondition(plan, { kind: 'cmp', field: 'email', op: 'eq', value: 'a@b.c' });
 * // { kind: 'cmp', field: 'emailBidx', op: 'eq', value: 'Qm9...' }
 * ```
 */
export function rewriteCondition(plan: RepositoryPlan, cond: Condition | undefined): Condition | undefined {
  if (!cond) return cond;
  switch (cond.kind) {
    case 'and': case 'or': {
      let changed = false;
      const conditions = cond.conditions.map((c) => {
        const r = rewriteCondition(plan, c)!;
        if (r !== c) changed = true;
        return r;
      });
      return changed ? { kind: cond.kind, conditions } : cond;
    }
    case 'cmp': {
      const p = plan.fields.get(cond.field);
      if (!p) return cond;
      // ne (a negated eq, too) on a blind index would leave out the rows whose index collides with the value.
      if (!p.indexField || cond.op !== 'eq') throw unsupported(plan, cond.field, `Operator ${cond.op}`);
      return { kind: 'cmp', field: p.indexField, op: cond.op, value: blindIndexOf(plan, p, cond.value) };
    }
    case 'in': {
      const p = plan.fields.get(cond.field);
      if (!p) return cond;
      if (!p.indexField || cond.negate) throw unsupported(plan, cond.field, cond.negate ? 'Operator notIn' : 'Operator in');
      return { kind: 'in', field: p.indexField, values: cond.values.map((v) => blindIndexOf(plan, p, v)), negate: cond.negate };
    }
    case 'isNull': {
      const p = plan.fields.get(cond.field);
      if (!p) return cond;
      if (p.indexField) return { kind: 'isNull', field: p.indexField, isNull: cond.isNull };
      if (plan.mode === 'field') return cond;
      throw unsupported(plan, cond.field, 'isNull');
    }
    case 'startsWith': {
      if (!plan.fields.has(cond.field)) return cond;
      throw unsupported(plan, cond.field, cond.negate ? 'Operator not startsWith' : 'Operator startsWith');
    }
    case 'text': {
      if (!plan.fields.has(cond.field)) return cond;
      throw unsupported(plan, cond.field, `Operator ${cond.match}${cond.insensitive ? " (mode: 'insensitive')" : ''}`);
    }
    case 'array': {
      if (!plan.fields.has(cond.field)) return cond;
      throw unsupported(plan, cond.field, cond.match === 'some' ? 'Operator has / hasSome' : 'Operator hasEvery');
    }
  }
}

/**
 * Refuse ordering by an encrypted or sealed field (ciphertext order is random).
 *
 * @example
 * ```ts
 * checkOrderBy(plan, query.orderBy); // throws UnsupportedQueryError for { field: 'ssn' }
 * ```
 */
export function checkOrderBy(plan: RepositoryPlan, orderBy: readonly OrderTerm[]): void {
  for (const t of orderBy) if (plan.fields.has(t.field)) throw unsupported(plan, t.field, 'Ordering');
}

/**
 * Rewrite an aggregate for storage: only `count` may name an encrypted
 * field (a count of non-null values reveals nothing: in field mode the
 * ciphertext column is null exactly when the value is; a sealed field is
 * counted through its blind index); sums, averages, min / max and groups
 * over ciphertext would be meaningless or leak, so they are refused.
 *
 * @example
 * ```ts
 * rewriteAggregate(plan, { groupBy: [], measures: [{ fn: 'count', field: 'email' }], orderBy: [] });
 * ```
 */
export function rewriteAggregate(plan: RepositoryPlan, agg: NormalizedAggregate): NormalizedAggregate {
  for (const f of agg.groupBy) if (plan.fields.has(f)) throw unsupported(plan, f, 'groupBy');
  const measures = agg.measures.map((m) => {
    const p = m.field === null ? undefined : plan.fields.get(m.field);
    if (!p) return m;
    if (m.fn !== 'count') throw unsupported(plan, m.field!, `${m.fn} (only count works on encrypted fields)`);
    if (plan.mode === 'field') return m;
    if (!p.indexField) throw unsupported(plan, m.field!, 'count');
    return { fn: m.fn, field: p.indexField };
  });
  return { ...agg, measures, where: rewriteCondition(plan, agg.where) };
}

/**
 * Refuse `distinct` on an encrypted or sealed field (ciphertexts of equal values differ).
 *
 * @example
 * ```ts
 * checkDistinct(plan, query.distinct); // throws UnsupportedQueryError for ['ssn']
 * ```
 */
export function checkDistinct(plan: RepositoryPlan, distinct: readonly string[] | undefined): void {
  for (const f of distinct ?? []) if (plan.fields.has(f)) throw unsupported(plan, f, 'distinct');
}

/**
 * Map a projection to storage fields: sealed fields are read from the
 * envelope (field mode keeps names: the ciphertext lives under the field's name).
 *
 * @example
 * ```ts
 * mapSelect(plan, ['id', 'title']); // ['id', 'sealed'] in record mode
 * ```
 */
export function mapSelect(plan: RepositoryPlan, select: readonly string[] | undefined): readonly string[] | undefined {
  if (!select || plan.mode === 'field') return select;
  const out: string[] = [];
  let envelope = false;
  for (const f of select) {
    if (plan.fields.has(f)) envelope = true;
    else out.push(f);
  }
  if (envelope) out.push(plan.envelopeField!);
  return out;
}

/**
 * Map upsert conflict fields to storage: a searchable field conflicts on its
 * blind index; other encrypted fields cannot be conflict keys.
 *
 * @example
 * ```ts
 * mapConflictFields(plan, ['email']); // ['emailBidx']
 * ```
 */
export function mapConflictFields(plan: RepositoryPlan, fields: readonly string[]): string[] {
  return fields.map((f) => {
    const p = plan.fields.get(f);
    if (!p) return f;
    if (!p.indexField) throw unsupported(plan, f, 'Upsert conflict');
    return p.indexField;
  });
}
