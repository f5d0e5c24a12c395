import { createHash } from 'node:crypto';
import { ValidationError, type ValidationIssue } from '../errors.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import { validateValue } from '../repository/validate-value.js';
import type { Condition, OrderTerm } from './condition.js';

const MAX_CURSOR_LENGTH = 4096;

/**
 * The shape of a filter: fields, operators and structure, children sorted
 * so that key order does not matter; never values. A cursor travels to
 * clients and logs, and the repository cannot tell every encrypted field
 * (`sensitive_fields` in the encryption plugin's configuration encrypts
 * fields the schema calls plain): a short digest of a low-entropy value
 * (an email) could be guessed back.
 */
function filterShape(c: Condition | undefined): string {
  if (!c) return '*';
  switch (c.kind) {
    case 'and': case 'or':
      return `${c.kind}(${c.conditions.map(filterShape).sort().join(',')})`;
    case 'cmp':
      return `${c.field} ${c.op}`;
    case 'in':
      return `${c.field} ${c.negate ? 'notIn' : 'in'}`;
    case 'isNull':
      return `${c.field} ${c.isNull ? 'isNull' : 'notNull'}`;
    case 'startsWith':
      return `${c.field} ${c.negate ? 'notStartsWith' : 'startsWith'}`;
    case 'text':
      return `${c.field} ${c.negate ? 'not ' : ''}${c.match}${c.insensitive ? ' i' : ''}`;
    case 'array':
      return `${c.field} ${c.negate ? 'not ' : ''}${c.match}`;
  }
}

/**
 * The check a cursor carries: a digest of the repository (name and
 * table), the ordering and the filter's shape, so that it is refused by
 * any other repository or query shape. A check, not a signature: see
 * docs/security.md.
 */
function querySignature(schema: RepositorySchema, orderBy: readonly OrderTerm[], where: Condition | undefined): string {
  const text = JSON.stringify([schema.name, schema.table, orderBy.map((t) => `${t.field}:${t.direction}`), filterShape(where)]);
  return createHash('sha256').update(text).digest('base64url').slice(0, 11);
}

function encodeValue(v: unknown): unknown {
  if (v instanceof Date) return { d: v.getTime() };
  if (typeof v === 'bigint') return { b: v.toString() };
  return v;
}

function decodeValue(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o.d === 'number' && Object.keys(o).length === 1) return new Date(o.d);
    if (typeof o.b === 'string' && Object.keys(o).length === 1 && /^-?\d{1,19}$/.test(o.b)) return BigInt(o.b);
    return Symbol.for('invalid');
  }
  return v;
}

/**
 * Make the opaque cursor that points just after `row` in `orderBy`, for the
 * query with filter `where` on this repository only.
 *
 * @example
 * ```ts
 * const cursor = encodeCursor(schema, query.orderBy, lastRow, query.where);
 * ```
 */
export function encodeCursor(schema: RepositorySchema, orderBy: readonly OrderTerm[], row: Record<string, unknown>, where: Condition | undefined): string {
  const payload = { s: querySignature(schema, orderBy, where), v: orderBy.map((t) => encodeValue(row[t.field] ?? null)) };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/**
 * Decode and validate a cursor against the query's repository, order and
 * filter: each value must have its field's type. Malformed cursors, and
 * cursors of another repository or query, raise ValidationError.
 *
 * @example
 * ```ts
 * const after = decodeCursor(schema, orderBy, page.nextCursor, where); // values aligned with orderBy
 * ```
 */
export function decodeCursor(schema: RepositorySchema, orderBy: readonly OrderTerm[], cursor: unknown, where: Condition | undefined): unknown[] {
  const bad = (message: string) => new ValidationError([{ path: 'after', message }], { context: 'cursor' });
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw bad('malformed cursor: pass the nextCursor of a previous page unchanged');
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad('malformed cursor: pass the nextCursor of a previous page unchanged');
  }
  const p = payload as { s?: unknown; v?: unknown };
  if (!p || typeof p !== 'object' || typeof p.s !== 'string' || !Array.isArray(p.v)) throw bad('malformed cursor');
  if (p.s !== querySignature(schema, orderBy, where) || p.v.length !== orderBy.length) {
    throw bad(`this cursor belongs to another repository or query; pass it to ${schema.name} with the same where and orderBy as the page it came from`);
  }
  const issues: ValidationIssue[] = [];
  const values = p.v.map((raw, i) => {
    const term = orderBy[i]!;
    const value = decodeValue(raw);
    if (value === null) {
      if (term.field === 'id') issues.push({ path: 'after', message: 'malformed cursor (null id)' });
      return null;
    }
    return validateValue(schema.fields[term.field]!, value, `after[${i}]`, issues);
  });
  if (issues.length) throw new ValidationError(issues.map((i) => ({ ...i, message: `malformed cursor (${i.message})` })), { context: 'cursor' });
  return values;
}
