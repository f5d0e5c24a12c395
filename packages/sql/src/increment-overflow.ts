import { ValidationError } from '@chatcore/core';
import { incrementIssue, type Condition, type StoredRow } from '@chatcore/core/driver';
import type { FieldPlan, SchemaPlan } from './schema-plan.js';
import { columnRange } from './write-statements.js';

/**
 * The column type whose arithmetic overflowed, by the function PostgreSQL
 * names as the error's `routine` (not translated, unlike the message; the
 * English message is the fallback for a client that drops the field). A
 * value that does not parse into its type (`value "3000000000" is out of
 * range for type integer`, routine `pg_strtoint32`) is not an overflow of
 * a sum and stays a DriverError.
 */
const OVERFLOW_ROUTINES: Record<string, string> = {
  int4pl: 'integer', int4mi: 'integer', int8pl: 'bigint', int8mi: 'bigint',
  float_overflow_error: 'double precision', float8pl: 'double precision', float8mi: 'double precision',
};
const OVERFLOW_MESSAGES: Record<string, string> = {
  'integer out of range': 'integer', 'bigint out of range': 'bigint', 'value out of range: overflow': 'double precision',
};

/**
 * The increments of a failed UPDATE or upsert, and how to read the rows it
 * targeted (on the failure path only, outside a transaction) to find which
 * of several increments left its column's range.
 *
 * @example
 * ```ts
 * const overflow: IncrementOverflow = { increment: patch.increment, where: () => ({ kind: 'in', field: 'id', values: ids, negate: false }) };
 * ```
 */
export interface IncrementOverflow {
  readonly increment: Readonly<Record<string, number | bigint>>;
  /** The rows the statement targeted (undefined: every row); built only when the statement failed. */
  readonly where: () => Condition | undefined;
}

/**
 * The increments that may have caused a 22003 (numeric value out of range)
 * raised by a statement carrying `increment`: those compiled to a plain
 * `col + $n` (the field declares no `min`/`max`, so only its column type
 * bounds it) on a column of the type that overflowed. Empty when the error
 * is not an overflow of a sum, or no such increment is in the statement:
 * the error is then not the increment's, and stays what mapSqlError makes
 * of it.
 *
 * @example
 * ```ts
 * overflowCandidates(err, plan, { tokens: 1, version: 1 }); // [tokens, version] for 'integer out of range'
 * ```
 */
export function overflowCandidates(err: unknown, plan: SchemaPlan, increment: Readonly<Record<string, number | bigint>>): FieldPlan[] {
  const e = err as { code?: unknown; routine?: unknown; message?: unknown } | null;
  if (e?.code !== '22003') return [];
  const type = (typeof e.routine === 'string' ? OVERFLOW_ROUTINES[e.routine] : undefined) ?? OVERFLOW_MESSAGES[String(e.message)];
  if (!type) return [];
  const out: FieldPlan[] = [];
  for (const name in increment) {
    const f = plan.field(name);
    if (f.sqlType === type && f.meta.min === undefined && f.meta.max === undefined && !columnRange(f, increment[name]!)) out.push(f);
  }
  return out;
}

/**
 * Of `candidates`, those whose increment takes one of `rows` (as read after
 * the failure) out of what the field holds, in the order memory checks
 * them; empty when none does (the rows changed since).
 *
 * @example
 * ```ts
 * overflowingFields(plan, [{ id: 'a', tokens: 2147483647, version: 3 }], { tokens: 1, version: 1 }, candidates); // ['tokens']
 * ```
 */
export function overflowingFields(plan: SchemaPlan, rows: readonly StoredRow[], increment: Readonly<Record<string, number | bigint>>, candidates: readonly FieldPlan[]): string[] {
  const out = new Set<string>();
  for (const row of rows) {
    for (const f of candidates) {
      const current = row[f.name];
      if (current === null || current === undefined) continue;
      const by = increment[f.name]!;
      const result = typeof current === 'bigint' || typeof by === 'bigint' ? BigInt(current as number | bigint) + BigInt(by) : Number(current) + Number(by);
      if (incrementIssue(plan.schema, f.name, result)) out.add(f.name);
    }
  }
  return candidates.map((f) => f.name).filter((n) => out.has(n));
}

/**
 * The ValidationError memory raises for an increment its field's storage
 * type cannot hold (`incrementIssue`: path `<field>.increment`, "the result
 * leaves the range of repo.field"), one issue per field named.
 *
 * @example
 * ```ts
 * throw incrementOverflowError(plan, ['tokens']);
 * ```
 */
export function incrementOverflowError(plan: SchemaPlan, fields: readonly string[]): ValidationError {
  return new ValidationError(fields.map((field) => ({ path: `${field}.increment`, message: `the result leaves the range of ${plan.schema.name}.${field}` })), { context: 'patch' });
}
