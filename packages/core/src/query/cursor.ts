import { createHash } from 'node:crypto';
import { ValidationError, type ValidationIssue } from '../errors.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import { validateValue } from '../repository/validate-value.js';
import type { OrderTerm } from './condition.js';

const MAX_CURSOR_LENGTH = 4096;

/** Signature of an ordering, so a cursor cannot be used with another order or repository. */
function orderSignature(schema: RepositorySchema, orderBy: readonly OrderTerm[]): string {
  const text = `${schema.name}|${orderBy.map((t) => `${t.field}:${t.direction}`).join(',')}`;
  return createHash('sha256').update(text).digest('base64url').slice(0, 10);
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
 * Make the opaque cursor that points just after `row` in `orderBy`.
 *
 * @example
 * ```ts
 * const cursor = encodeCursor(schema, orderBy, lastRow);
 * ```
 */
export function encodeCursor(schema: RepositorySchema, orderBy: readonly OrderTerm[], row: Record<string, unknown>): string {
  const payload = { s: orderSignature(schema, orderBy), v: orderBy.map((t) => encodeValue(row[t.field] ?? null)) };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/**
 * Decode and validate a cursor against the query's order: each value must
 * have its field's type. Malformed or foreign cursors raise ValidationError.
 *
 * @example
 * ```ts
 * const after = decodeCursor(schema, orderBy, page.nextCursor); // values aligned with orderBy
 * ```
 */
export function decodeCursor(schema: RepositorySchema, orderBy: readonly OrderTerm[], cursor: unknown): unknown[] {
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
  if (p.s !== orderSignature(schema, orderBy) || p.v.length !== orderBy.length) {
    throw bad('this cursor belongs to a query with another repository or order; keep orderBy the same between pages');
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
