import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { incrementBounds, type IncrementBounds, type NormalizedPatch, type StoredRow, type WriteTarget } from '@chatcore/core/driver';
import type { FieldPlan, SchemaPlan } from './schema-plan.js';
import type { SqlStatement } from './sql-executor.js';
import { compileCondition, describeCondition } from './condition-sql.js';
import { bindShape, compiler, SlotAllocator, toShape } from './statement-shape.js';
import { chunkRows, POSTGRES_STATEMENT_LIMITS, valueBytes, type StatementLimits } from './statement-limits.js';
import { OUT_OF_RANGE_MARKER } from './sql-errors.js';
import { doubleIncrement } from './double-increment.js';
/**
 * Column name of the upsert's "was this an insert" flag (cannot collide: field names are identifiers).
 *
 * @example
 * ```ts
 * const created = row[CREATED_ALIAS] === true;
 * ```
 */
export const CREATED_ALIAS = '?created';

function encoded(f: FieldPlan, row: StoredRow): unknown {
  const v = row[f.name];
  if (v === undefined || v === null) return null;
  return f.encode ? f.encode(v) : v;
}

/**
 * The INSERT statements for a batch of rows. One row: `values ($1, ...)`.
 * Several rows: `insert ... select * from unnest($1::text[], ...)` (one
 * parameter per column, one shape for every batch size), or multi-row VALUES
 * when a column is itself an array (unnest would flatten it). Batches split
 * into several statements under the client's `limits` (parameters per
 * statement, bytes of values); the caller runs them atomically.
 *
 * @example
 * ```ts
 * for (const stmt of insertStatements(plan, rows, limitsOf(executor))) await run(stmt);
 * ```
 */
export function insertStatements(plan: SchemaPlan, rows: readonly StoredRow[], limits: StatementLimits = POSTGRES_STATEMENT_LIMITS): SqlStatement[] {
  const fields = plan.fields;
  if (rows.length === 1) {
    const shape = plan.shape('i1', () => {
      const alloc = new SlotAllocator();
      const values = Object.fromEntries(fields.map((f) => [f.column, alloc.slot()]));
      return toShape(compiler.insertInto(plan.table).values(values as never).compile(), true);
    });
    return [bindShape(shape, fields.map((f) => encoded(f, rows[0]!)))];
  }
  // Column-major, encoded once: unnest sends the columns as they are.
  const columns = fields.map((f) => rows.map((r) => encoded(f, r)));
  const rowBytes = (i: number) => {
    let n = 0;
    for (const column of columns) n += valueBytes(column[i]);
    return n;
  };
  const runs = chunkRows(rows.length, plan.canUnnest ? 0 : fields.length, limits, rowBytes);
  if (plan.canUnnest) {
    const shape = plan.shape('iu', () => {
      const alloc = new SlotAllocator();
      const arrays = fields.map((f) => sql`${alloc.slot()}::${sql.raw(f.sqlType)}[]`);
      const select = sql`select * from unnest(${sql.join(arrays)})`;
      return toShape(compiler.insertInto(plan.table).columns(fields.map((f) => f.column) as never).expression(select as never).compile(), true);
    });
    if (runs.length === 1) return [bindShape(shape, columns)];
    return runs.map(([start, end]) => bindShape(shape, columns.map((c) => c.slice(start, end))));
  }
  return runs.map(([start, end]) => {
    const n = end - start;
    const shape = plan.shape(`iv${n}`, () => {
      const alloc = new SlotAllocator();
      const values = Array.from({ length: n }, () => Object.fromEntries(fields.map((f) => [f.column, alloc.slot()])));
      // Large one-off batch sizes would fill the server's prepared-statement cache: unnamed.
      return toShape(compiler.insertInto(plan.table).values(values as never).compile(), n <= 10);
    });
    const values: unknown[] = [];
    for (let i = start; i < end; i++) for (const column of columns) values.push(column[i]);
    return bindShape(shape, values);
  });
}

function describeTarget(plan: SchemaPlan, target: WriteTarget, values: unknown[]): string {
  let key = '';
  if (target.ids) {
    if (target.ids.length === 1) { values.push(target.ids[0]); key += 'ids1'; }
    else { values.push(target.ids); key += 'idsN'; }
  }
  if (target.where) key += `|${describeCondition(plan, target.where, values)}`;
  return key;
}

function compileTarget(plan: SchemaPlan, target: WriteTarget, alloc: SlotAllocator): Expression<SqlBool> | undefined {
  const conds: RawBuilder<SqlBool>[] = [];
  if (target.ids) {
    const id = sql.ref(plan.field('id').column);
    conds.push(target.ids.length === 1 ? sql<SqlBool>`${id} = ${alloc.slot()}` : sql<SqlBool>`${id} = any(${alloc.slot()}::text[])`);
  }
  if (target.where) conds.push(compileCondition(plan, target.where, alloc));
  if (conds.length === 0) return undefined;
  return conds.length === 1 ? conds[0] : sql<SqlBool>`${sql.join(conds, sql.raw(' and '))}`;
}

function describePatch(plan: SchemaPlan, patch: NormalizedPatch, values: unknown[]): string {
  let key = 's:';
  for (const name in patch.set) {
    const f = plan.field(name);
    const v = patch.set[name];
    values.push(v === null || v === undefined ? null : f.encode ? f.encode(v) : v);
    key += `${name},`;
  }
  key += '+:';
  for (const name in patch.increment) {
    const by = patch.increment[name]!;
    values.push(by);
    // An amount its column type cannot hold compiles to another statement (see compilePatch).
    key += columnRange(plan.field(name), by) ? `${name}!,` : `${name},`;
  }
  return key;
}

/** Integer column types, with the range of values they hold. */
const COLUMN_RANGE: Record<string, IncrementBounds> = {
  integer: { min: -(2 ** 31), max: 2 ** 31 - 1 },
  bigint: { min: -(2n ** 63n), max: 2n ** 63n - 1n },
};

/**
 * The range of `f`'s column when the increment amount `by` lies outside it
 * (so `$n::type` would fail and the sum is checked instead), else undefined.
 *
 * @example
 * ```ts
 * columnRange(plan.field('tokens'), 2 ** 31); // { min: -2147483648, max: 2147483647 }
 * ```
 */
export function columnRange(f: FieldPlan, by: number | bigint): IncrementBounds | undefined {
  const range = COLUMN_RANGE[f.sqlType];
  return range && (by < range.min! || by > range.max!) ? range : undefined;
}

/**
 * SET assignments with slots; increments as `col = col + $n` (qualified, for
 * ON CONFLICT). An increment of a field with a declared `min`/`max` (and of
 * a wide integer, always bounded) is checked in the same statement: a result
 * out of range makes the statement fail, so nothing is written (see
 * `rangeGuard`), and so is one whose amount the column type cannot hold
 * (against the column's range). Other increments stay a plain `col + $n`.
 */
function compilePatch(plan: SchemaPlan, patch: NormalizedPatch, alloc: SlotAllocator, qualify: boolean): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  for (const name in patch.set) set[plan.field(name).column] = alloc.slot();
  for (const name in patch.increment) {
    const f = plan.field(name);
    const ref = qualify ? sql.ref(`${plan.table}.${f.column}`) : sql.ref(f.column);
    if (f.meta.min !== undefined || f.meta.max !== undefined) set[f.column] = rangeGuard(f, ref, alloc.slot(), incrementBounds(f.meta));
    else {
      // An amount the column type cannot hold is summed in a wider type: a
      // row can still end in range (-1 + 2^31 fits an integer), a statement
      // that sums no row (no match, a null field) succeeds, and a sum out of
      // the column's range fails as a bounded increment does.
      const range = columnRange(f, patch.increment[name]!);
      set[f.column] = range ? rangeGuard(f, ref, alloc.slot(), range) : sql`${ref} + ${alloc.slot()}::${sql.raw(f.sqlType)}`;
    }
  }
  // A patch with nothing to change still has to return the targeted rows.
  if (Object.keys(set).length === 0) {
    const id = plan.field('id').column;
    set[id] = qualify ? sql.ref(`${plan.table}.${id}`) : sql.ref(id);
  }
  return set;
}

/** The type the sum of a bounded integer increment is computed in: wide enough that it cannot overflow before the check. */
const SUM_TYPE: Record<string, string> = { integer: 'bigint', bigint: 'numeric' };

/**
 * `col + $n` unless the sum leaves the field's `incrementBounds`; then an
 * expression that fails with SQLSTATE 22P02 and a message carrying
 * `OUT_OF_RANGE_MARKER`, the field name and the sum, which mapSqlError turns
 * into the ValidationError memory raises (same issue, same message). The sum
 * is checked before it could overflow: integers add in a wider type (bigint
 * for integers, numeric for bigints), doubles as `doubleIncrement` says.
 * The failing cast reads the column, so the planner cannot fold it into a
 * constant and raise it for every row.
 */
function rangeGuard(f: FieldPlan, ref: RawBuilder<unknown>, by: unknown, bounds: IncrementBounds | undefined): RawBuilder<unknown> {
  const type = sql.raw(f.sqlType);
  const wide = SUM_TYPE[f.meta.type];
  if (bounds && f.meta.type === 'number') {
    const d = doubleIncrement(ref, by, { min: bounds.min as number | undefined, max: bounds.max as number | undefined });
    return guarded(f, d.outside, d.text, d.sum);
  }
  if (!bounds || !wide) return sql`${ref} + ${by}::${type}`;
  const sum = sql`(${ref}::${sql.raw(wide)} + ${by}::${sql.raw(wide)})`;
  const lo = bounds.min === undefined ? undefined : sql.raw(String(bounds.min));
  const hi = bounds.max === undefined ? undefined : sql.raw(String(bounds.max));
  const outside = lo && hi ? sql`${sum} not between ${lo} and ${hi}` : lo ? sql`${sum} < ${lo}` : sql`${sum} > ${hi}`;
  return guarded(f, outside, sql`${sum}::text`, sum);
}

/** `sum` in the column's type, or, when `outside` holds, the failing cast that carries the sum's `text` (see rangeGuard). */
function guarded(f: FieldPlan, outside: RawBuilder<unknown>, text: RawBuilder<unknown>, sum: RawBuilder<unknown>): RawBuilder<unknown> {
  const type = sql.raw(f.sqlType);
  const fail = sql`cast(${sql.lit(`${OUT_OF_RANGE_MARKER}${f.name}:`)} || ${text} as ${type})`;
  return sql`case when ${outside} then ${fail} else ${sum}::${type} end`;
}

/**
 * UPDATE ... SET ... WHERE target RETURNING every field (aliased to field names).
 *
 * @example
 * ```ts
 * const stmt = updateStatement(plan, { ids: [id] }, { set: { title: 'x' }, increment: { version: 1 } });
 * ```
 */
export function updateStatement(plan: SchemaPlan, target: WriteTarget, patch: NormalizedPatch): SqlStatement {
  const values: unknown[] = [];
  const key = `u|${describePatch(plan, patch, values)}|${describeTarget(plan, target, values)}`;
  const shape = plan.shape(key, () => {
    const alloc = new SlotAllocator();
    const set = compilePatch(plan, patch, alloc, false);
    let qb = compiler.updateTable(plan.table).set(set as never);
    const where = compileTarget(plan, target, alloc);
    if (where) qb = qb.where(where);
    return toShape(qb.returning(plan.selection(undefined)).compile(), true);
  });
  return bindShape(shape, values);
}

/**
 * DELETE ... WHERE target RETURNING id.
 *
 * @example
 * ```ts
 * const stmt = deleteStatement(plan, { ids });
 * ```
 */
export function deleteStatement(plan: SchemaPlan, target: WriteTarget): SqlStatement {
  const values: unknown[] = [];
  const key = `d|${describeTarget(plan, target, values)}`;
  const shape = plan.shape(key, () => {
    let qb = compiler.deleteFrom(plan.table);
    const where = compileTarget(plan, target, new SlotAllocator());
    if (where) qb = qb.where(where);
    return toShape(qb.returning(sql.ref(plan.field('id').column).as('id')).compile(), true);
  });
  return bindShape(shape, values);
}

/**
 * INSERT ... ON CONFLICT (fields) DO UPDATE SET patch RETURNING every field
 * and `(xmax = 0)`, which is true exactly when the row was inserted.
 *
 * @example
 * ```ts
 * const stmt = upsertStatement(plan, row, ['email'], { set: { name: 'Ada' }, increment: { version: 1 } });
 * ```
 */
export function upsertStatement(plan: SchemaPlan, row: StoredRow, conflictFields: readonly string[], patch: NormalizedPatch): SqlStatement {
  const values = plan.fields.map((f) => encoded(f, row));
  const key = `up|${conflictFields.join(',')}|${describePatch(plan, patch, values)}`;
  const shape = plan.shape(key, () => {
    const alloc = new SlotAllocator();
    const insertValues = Object.fromEntries(plan.fields.map((f) => [f.column, alloc.slot()]));
    const set = compilePatch(plan, patch, alloc, true);
    const conflictColumns = conflictFields.map((n) => plan.field(n).column);
    const qb = compiler
      .insertInto(plan.table)
      .values(insertValues as never)
      .onConflict((oc) => oc.columns(conflictColumns as never).doUpdateSet(set as never))
      .returning([...plan.selection(undefined), sql<boolean>`(xmax = 0)`.as(CREATED_ALIAS)]);
    return toShape(qb.compile(), true);
  });
  return bindShape(shape, values);
}
