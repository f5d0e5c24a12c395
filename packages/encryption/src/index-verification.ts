import type { Condition, StoredRow } from '@chatcore/core/plugin';
import { encodeValue } from './crypto/plaintext-codec.js';
import { normalizeForIndex } from './crypto/blind-index.js';
import { indexerOf, type FieldPlan, type RepositoryPlan } from './repository-plan.js';

/**
 * What a blind-index read checks on one searchable field: the values the
 * filter compares it with (by blind index and by normalized plaintext
 * encoding), and whether the filter tests it for null.
 */
interface FieldCheck {
  readonly plan: FieldPlan;
  /** Blind index of each filter value → the text standing for its normalized typed encoding (see encodingOf). */
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
    visit(plan, byField, where, rewritten);
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

/** Collect the checks of the searchable fields a filter compares (see IndexChecks.of). */
function visit(plan: RepositoryPlan, byField: Map<string, FieldCheck>, c: Condition, r: Condition | undefined): void {
  switch (c.kind) {
    case 'and': case 'or':
      for (let i = 0; i < c.conditions.length; i++) visit(plan, byField, c.conditions[i]!, r?.kind === c.kind ? r.conditions[i] : undefined);
      return;
    case 'cmp': case 'in': case 'isNull': {
      const p = plan.fields.get(c.field);
      if (!p?.indexField) return;
      let check = byField.get(p.name);
      if (!check) byField.set(p.name, (check = { plan: p, byIndex: new Map(), encodings: new Set(), nullTest: false }));
      if (c.kind === 'isNull') check.nullTest = true;
      else if (c.kind === 'cmp') addValue(plan, check, c.value, r?.kind === 'cmp' ? r.value : undefined);
      else for (let i = 0; i < c.values.length; i++) addValue(plan, check, c.values[i], r?.kind === 'in' ? r.values[i] : undefined);
      return;
    }
    default:
      return;
  }
}

/** One value the filter compares a searchable field with; `given` is its blind index from the rewritten filter, if there. */
function addValue(plan: RepositoryPlan, check: FieldCheck, value: unknown, given: unknown): void {
  if (value === null || value === undefined) {
    check.nullTest = true;
    return;
  }
  const p = check.plan;
  // Not counted in stats: rewriteCondition already counted this lookup's blind indexes.
  const index = typeof given === 'string' ? given : indexerOf(plan, p).of(p.meta, value, p.normalize)!;
  const encoding = encodingOf(p, value);
  check.byIndex.set(index, encoding);
  check.encodings.add(encoding);
}

const toWellFormed = (String.prototype as unknown as { toWellFormed: (this: string) => string }).toWellFormed;

/**
 * What the blind index of a value hashes (its normalized typed encoding), as
 * a text that is equal for two values exactly when their encodings are. The
 * encoding of a text type is its UTF-8 bytes after a type tag, and UTF-8
 * tells apart any two strings once their lone surrogates are replaced (as
 * the encoder does): for those types the string itself, well-formed, stands
 * for it (no buffer per row); other types use the encoding's bytes as latin1.
 */
function encodingOf(p: FieldPlan, value: unknown): string {
  const normalized = normalizeForIndex(value, p.normalize);
  switch (p.meta.type) {
    case 'string': case 'text': case 'enum': case 'id':
      return toWellFormed.call(String(normalized));
    default:
      return encodeValue(normalized, p.meta.type, p.meta.items).toString('latin1');
  }
}
