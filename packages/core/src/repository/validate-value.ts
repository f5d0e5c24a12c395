import type { FieldMeta } from '../schema/field-meta.js';
import type { ValidationIssue } from '../errors.js';
import { INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN } from '../schema/integer-range.js';
import { MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS } from '../schema/timestamp-range.js';
import { MALFORMED_STRING, isWellFormed } from '../util/well-formed.js';
import { codePointLength } from '../util/code-points.js';

const MAX_JSON_BYTES = 1024 * 1024;
const MAX_ARRAY_ITEMS = 10_000;
const MAX_JSON_DEPTH = 64;

/**
 * Check one non-null value against its field; returns the value to store (a
 * defensive copy for mutable values) or pushes an issue and returns undefined.
 * Strings must be well-formed UTF-16 and free of NUL characters (also
 * inside arrays and JSON, keys included); a string's `min`/`max` count
 * characters (code points, as PostgreSQL does: an emoji is one); timestamps
 * must lie within years 1-9999; and `-0` is stored as `0`
 * (backends disagree on keeping the sign, so no backend gets it).
 * Messages never include the value itself (it may be sensitive).
 *
 * @example
 * ```ts
 * const issues: ValidationIssue[] = [];
 * const v = validateValue(schema.fields.age, 42, 'age', issues);
 * ```
 */
export function validateValue(meta: FieldMeta, value: unknown, path: string, issues: ValidationIssue[]): unknown {
  // Hot path (the id of every get/update/delete): no closure, no allocation.
  if (meta.type === 'id' && typeof value === 'string' && value.length > 0 && value.length <= 128 && !hasControlChars(value) && isWellFormed(value)) return value;
  const fail = (message: string): undefined => {
    issues.push({ path, message });
    return undefined;
  };
  switch (meta.type) {
    case 'id':
      if (typeof value !== 'string' || value.length === 0) return fail('expected a non-empty string id');
      if (value.length > 128) return fail('id longer than 128 characters');
      if (hasControlChars(value)) return fail('id contains control characters');
      if (!isWellFormed(value)) return fail(`id is ${MALFORMED_STRING}`);
      return value;
    case 'string':
    case 'text': {
      if (typeof value !== 'string') return fail(`expected a string, got ${describe(value)}`);
      if (value.includes('\u0000')) return fail('string contains a NUL character');
      if (!isWellFormed(value)) return fail(`string is ${MALFORMED_STRING}`);
      // Lengths are characters (code points), as PostgreSQL counts them. Code points are at most the
      // code units and at least half of them, so `.length` alone decides unless the string holds
      // surrogate pairs near the bound: only then are the code points counted.
      if (meta.max !== undefined && value.length > Number(meta.max)) {
        const n = codePointLength(value);
        if (n > Number(meta.max)) return fail(`longer than the maximum of ${meta.max} characters (${n})`);
      }
      if (meta.min !== undefined && value.length < 2 * Number(meta.min) && (value.length < Number(meta.min) || codePointLength(value) < Number(meta.min))) {
        return fail(`shorter than the minimum of ${meta.min} characters`);
      }
      if (meta.pattern && !meta.pattern.test(value)) return fail(`does not match the required pattern ${meta.pattern}`);
      return value;
    }
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return fail(`expected an integer, got ${Number.isFinite(value) ? 'a number with a fraction' : describe(value)}`);
      const min = meta.min === undefined ? INT32_MIN : Number(meta.min);
      const max = meta.max === undefined ? INT32_MAX : Number(meta.max);
      if (!Number.isSafeInteger(value) || value < min || value > max) return fail(`out of range [${min}, ${max}]`);
      return value === 0 ? 0 : value;
    }
    case 'version':
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return fail('expected a non-negative integer version');
      return value;
    case 'bigint': {
      if (typeof value !== 'bigint') return fail(`expected a bigint, got ${describe(value)}`);
      const min = meta.min === undefined ? INT64_MIN : BigInt(meta.min);
      const max = meta.max === undefined ? INT64_MAX : BigInt(meta.max);
      if (value < min || value > max) return fail(`out of range [${min}, ${max}]`);
      return value;
    }
    case 'number': {
      if (typeof value !== 'number') return fail(`expected a number, got ${describe(value)}`);
      if (!Number.isFinite(value)) return fail('expected a finite number (NaN and Infinity are not stored)');
      if (meta.min !== undefined && value < Number(meta.min)) return fail(`below the minimum of ${meta.min}`);
      if (meta.max !== undefined && value > Number(meta.max)) return fail(`above the maximum of ${meta.max}`);
      return value === 0 ? 0 : value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') return fail(`expected a boolean, got ${describe(value)}`);
      return value;
    case 'timestamp':
      if (!(value instanceof Date)) return fail(`expected a Date, got ${describe(value)}`);
      if (Number.isNaN(value.getTime())) return fail('invalid Date');
      if (value.getTime() < MIN_TIMESTAMP_MS || value.getTime() > MAX_TIMESTAMP_MS) {
        return fail('outside the stored range 0001-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z');
      }
      return new Date(value.getTime());
    case 'enum':
      if (typeof value !== 'string' || !meta.values?.includes(value)) return fail(`expected one of ${meta.values?.map((v) => JSON.stringify(v)).join(', ')}`);
      return value;
    case 'bytes': {
      if (!(value instanceof Uint8Array)) return fail(`expected a Uint8Array or Buffer, got ${describe(value)}`);
      const max = meta.max === undefined ? Infinity : Number(meta.max);
      if (value.byteLength > max) return fail(`larger than the maximum of ${max} bytes`);
      return new Uint8Array(value);
    }
    case 'json': {
      const problem = jsonProblem(value, 0);
      if (problem) return fail(problem);
      const text = JSON.stringify(value);
      if (Buffer.byteLength(text) > MAX_JSON_BYTES) return fail(`JSON larger than ${MAX_JSON_BYTES} bytes`);
      return JSON.parse(text);
    }
    case 'array': {
      if (!Array.isArray(value)) return fail(`expected an array, got ${describe(value)}`);
      if (value.length > MAX_ARRAY_ITEMS) return fail(`more than ${MAX_ARRAY_ITEMS} items`);
      const out: unknown[] = [];
      const items = meta.items!;
      for (let i = 0; i < value.length; i++) {
        if (value[i] === null || value[i] === undefined) {
          issues.push({ path: `${path}[${i}]`, message: 'array items cannot be null' });
          continue;
        }
        out.push(validateValue(items, value[i], `${path}[${i}]`, issues));
      }
      return out;
    }
  }
}

function hasControlChars(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 32 || s.charCodeAt(i) === 127) return true;
  return false;
}

function jsonProblem(value: unknown, depth: number): string | undefined {
  if (depth > MAX_JSON_DEPTH) return `JSON nested deeper than ${MAX_JSON_DEPTH} levels`;
  if (typeof value === 'string') {
    // jsonb cannot store U+0000, so no backend accepts it.
    if (value.includes('\u0000')) return 'a JSON string contains a NUL character';
    return isWellFormed(value) ? undefined : `a JSON string is ${MALFORMED_STRING}`;
  }
  if (value === null || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : 'JSON numbers must be finite';
  if (Array.isArray(value)) {
    for (const v of value) {
      const p = jsonProblem(v, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return 'JSON values must be plain objects, arrays and primitives';
    for (const key of Object.keys(value)) {
      if (key === '__proto__') return 'JSON keys cannot be "__proto__"';
      if (key.includes('\u0000')) return 'a JSON key contains a NUL character';
      if (!isWellFormed(key)) return `a JSON key is ${MALFORMED_STRING}`;
      const p = jsonProblem((value as Record<string, unknown>)[key], depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  return `${typeof value} is not a JSON value`;
}

/**
 * A field type with its article, for messages: 'an array', 'a string'.
 *
 * @example
 * ```ts
 * withArticle('integer'); // 'an integer'
 * ```
 */
export function withArticle(type: string): string {
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/**
 * A short description of a value's type for error messages (never its content).
 *
 * @example
 * ```ts
 * describe(NaN); // 'NaN'
 * ```
 */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a Date';
  if (value instanceof Uint8Array) return 'bytes';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value); // NaN, Infinity, -Infinity
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/**
 * Whether `value` is a plain object (literal or JSON.parse output).
 *
 * @example
 * ```ts
 * isPlainObject({}); // true
 * isPlainObject(new Date()); // false
 * ```
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
