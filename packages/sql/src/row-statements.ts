import { ValidationError } from '@chatcore/core';
import type { RowStatement, StoredRow } from '@chatcore/core/driver';
import type { SchemaPlan } from './schema-plan.js';
import type { SqlStatement } from './sql-executor.js';

interface Node { readonly kind: string; readonly [key: string]: unknown }

const WRITES = new Set(['InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode', 'MergeQueryNode']);

function refuse(table: string, message: string): never {
  throw new ValidationError([{ path: 'query', message: `${message}; write it as kysely().selectFrom('${table}').selectAll()...` }], { context: 'query' });
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string';
}

/** Whether any node of the tree writes (a data-modifying CTE or subquery); a tree too deep to check counts as writing. */
function writes(value: unknown, depth = 0): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (depth > 200) return true;
  if (isNode(value) && WRITES.has(value.kind)) return true;
  for (const v of Array.isArray(value) ? value : Object.values(value)) if (writes(v, depth + 1)) return true;
  return false;
}

/** The table (and alias) a from item names, when it is a plain table. */
function tableOf(node: unknown): { name: string; alias: string | undefined } | undefined {
  let alias: string | undefined;
  let n = node;
  if (isNode(n) && n.kind === 'AliasNode') {
    const a = n.alias as Node;
    alias = isNode(a) && a.kind === 'IdentifierNode' ? (a.name as string) : undefined;
    n = n.node;
  }
  if (!isNode(n) || n.kind !== 'TableNode') return undefined;
  const id = n.table as { schema?: unknown; identifier: { name: string } };
  return id.schema ? undefined : { name: id.identifier.name, alias };
}

/**
 * Check a caller-written statement for `Repository.query`: a Kysely select
 * from this plan's table and nothing else (no writes anywhere in it, no set
 * operations, no EXPLAIN); with joins, every selection must be qualified by
 * this table, so another table's columns cannot stand in for its own.
 * Returns the statement to run, marked read-only (so that outside a
 * transaction it may be retried or go to a replica) unless it locks rows
 * (`forUpdate()` and the like), which only the primary can do.
 *
 * @example
 * ```ts
 * const st = rowStatement(plan, k.selectFrom('users').selectAll().where('age', '>=', 18).compile());
 * ```
 */
export function rowStatement(plan: SchemaPlan, statement: RowStatement): SqlStatement {
  const q = statement.query;
  if (!isNode(q) || q.kind !== 'SelectQueryNode') refuse(plan.table, 'expected a Kysely select query');
  if (writes(q)) refuse(plan.table, 'the query writes (a data-modifying subquery or CTE); only reads run through query()');
  if (q.setOperations || q.explain) refuse(plan.table, 'the query combines or explains selects; its rows are not rows of one table');
  const froms = (q.from as { froms?: readonly unknown[] } | undefined)?.froms ?? [];
  const from = froms.length === 1 ? tableOf(froms[0]) : undefined;
  if (!from || from.name !== plan.table) refuse(plan.table, `the query must select from the table ${plan.table} of ${plan.schema.name} (alone)`);
  const joins = q.joins as readonly unknown[] | undefined;
  if (joins?.length) {
    const own = from.alias ?? from.name;
    for (const s of (q.selections as readonly Node[] | undefined) ?? []) {
      const ref = s.selection as Node;
      const t = isNode(ref) && ref.kind === 'ReferenceNode' && isNode(ref.table) ? tableOf(ref.table) : undefined;
      if (!t || t.name !== own) refuse(plan.table, `with a join, select only ${own}'s columns (selectAll('${own}'))`);
    }
  }
  const locks = (q.endModifiers as readonly unknown[] | undefined)?.length ?? 0;
  return { sql: statement.sql, parameters: statement.parameters, readOnly: locks === 0 };
}

/**
 * The rows of a checked statement as stored rows: every storage column must
 * be present (a ValidationError names the missing ones), columns become
 * field names, values are decoded like every other read; extra columns are
 * dropped.
 *
 * @example
 * ```ts
 * const rows = storedRows(plan, result.rows); // [{ id, emailBidx, email: 'v1...', rowAuth, ... }]
 * ```
 */
export function storedRows(plan: SchemaPlan, rows: ReadonlyArray<Record<string, unknown>>): StoredRow[] {
  const out: StoredRow[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const stored: StoredRow = {};
    let missing: string[] | undefined;
    for (const f of plan.fields) {
      if (Object.hasOwn(row, f.column)) stored[f.name] = row[f.column];
      else (missing ??= []).push(f.column);
    }
    if (missing) {
      throw new ValidationError([{ path: 'query', message: `the query's rows lack column(s) ${missing.join(', ')} of ${plan.table}: select whole rows (selectAll())` }], { context: 'query' });
    }
    out[i] = stored;
  }
  return plan.decodeRows(out);
}
