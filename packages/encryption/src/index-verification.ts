import type { Condition, StoredRow } from '@chatcore/core/plugin';
import { encodeValue } from './crypto/plaintext-codec.js';
import { blindIndex, normalizeForIndex } from './crypto/blind-index.js';
import { indexKeyOf, type FieldPlan, type RepositoryPlan } from './repository-plan.js';

/**
 * What a blind-index read checks on one searchable field: the values the
 * filter compares it with (by blind index and by normalized plaintext
 * encoding), and whether the filter tests it for null.
 */
interface FieldCheck {
  readonly plan: FieldPlan;
  /** Blind index of each filter value → the value's normalized typed encoding (latin1 text, for Map lookups). */
  readonly byIndex: Map<string, string>;
  readonly encodings: Set<string>;
  nullTest: boolean;
}

/**
 * The checks a filter needs, built once per query. A blind-index lookup
 * trusts a column anyone who can write rows can change, so after
 * decryption each row is checked: for every searchable field the filter
 * names, the stored blind index matches a filter value exactly when the
 * decrypted value (normalized) equals that value. A row where the two
 * disagree was matched by a blind index that is not its own (copied from
 * another row, or an HMAC-truncation collision) and is dropped. When every
 * row agrees, what the database evaluated is what the plaintext says, so
 * the rest of the filter needs no second evaluation.
 *
 * @example
 * ```ts
 * const checks = indexChecks(plan, op.query.where); // undefined: no searchable field in the filter
 * ```
 */
export class IndexChecks {
  private constructor(readonly fields: readonly FieldCheck[]) {}

  /**
   * The checks of a logical filter, or undefined when it names no
   * searchable field. `rewritten` is the filter as rewriteCondition
   * returned it (same shape, blind indexes in place of values): its blind
   * indexes are taken from there rather than computed a second time.
   */
  static of(plan: RepositoryPlan, where: Condition | undefined, rewritten?: Condition | undefined): IndexChecks | undefined {
    if (!where || plan.searchable.length === 0) return undefined;
    const byField = new Map<string, FieldCheck>();
    const visit = (c: Condition, r: Condition | undefined): void => {
      switch (c.kind) {
        case 'and': case 'or':
          for (let i = 0; i < c.conditions.length; i++) visit(c.conditions[i]!, r?.kind === c.kind ? r.conditions[i] : undefined);
          return;
        case 'cmp': case 'in': case 'isNull': {
          const p = plan.fields.get(c.field);
          if (!p?.indexField) return;
          let check = byField.get(p.name);
          if (!check) byField.set(p.name, (check = { plan: p, byIndex: new Map(), encodings: new Set(), nullTest: false }));
          if (c.kind === 'isNull') check.nullTest = true;
          const values = c.kind === 'cmp' ? [c.value] : c.kind === 'in' ? c.values : [];
          const indexes = r?.kind === 'cmp' && c.kind === 'cmp' ? [r.value] : r?.kind === 'in' && c.kind === 'in' ? r.values : undefined;
          for (let i = 0; i < values.length; i++) {
            const v = values[i];
            if (v === null || v === undefined) {
              check.nullTest = true;
              continue;
            }
            // Not counted in stats: rewriteCondition already counted this lookup's blind indexes.
            const given = indexes?.[i];
            const index = typeof given === 'string' ? given : blindIndex(indexKeyOf(plan, p), p.meta, v, p.normalize)!;
            const encoding = encodingOf(p, v);
            check.byIndex.set(index, encoding);
            check.encodings.add(encoding);
          }
          return;
        }
        default:
          return;
      }
    };
    visit(where, rewritten);
    return byField.size ? new IndexChecks([...byField.values()]) : undefined;
  }

  /**
   * The storage fields a projection must also read so that rows can be
   * checked: each field's blind index and its ciphertext (field mode) or the
   * envelope (record mode).
   */
  widen(plan: RepositoryPlan, select: readonly string[] | undefined): readonly string[] | undefined {
    if (!select) return select;
    const out = new Set(select);
    for (const f of this.fields) {
      out.add(f.plan.indexField!);
      out.add(plan.mode === 'record' ? plan.envelopeField! : f.plan.name);
    }
    return out.size === select.length ? select : [...out];
  }

  /** Whether a decrypted row agrees with the blind indexes it was found by (`stored` is the row as read). */
  agrees(stored: StoredRow, row: StoredRow): boolean {
    for (const f of this.fields) {
      const index = stored[f.plan.indexField!];
      const value = row[f.plan.name];
      const isNull = value === null || value === undefined;
      if (f.nullTest && (index === null || index === undefined) !== isNull) return false;
      if (f.byIndex.size === 0) continue;
      const expected = typeof index === 'string' ? f.byIndex.get(index) : undefined;
      const actual = isNull ? undefined : encodingOf(f.plan, value);
      if (expected !== undefined ? expected !== actual : actual !== undefined && f.encodings.has(actual)) return false;
    }
    return true;
  }
}

/** The normalized typed encoding of a value, as text (what the blind index hashes). */
function encodingOf(p: FieldPlan, value: unknown): string {
  return encodeValue(normalizeForIndex(value, p.normalize), p.meta.type, p.meta.items).toString('latin1');
}
