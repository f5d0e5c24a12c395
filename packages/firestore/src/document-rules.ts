import { ValidationError, type ValidationIssue } from '@chatcore/core';
import { type RepositorySchema } from '@chatcore/core/driver';

/**
 * Firestore's documented limit on a document id (bytes of UTF-8).
 *
 * @example
 * ```ts
 * const idFits = (id: string) => Buffer.byteLength(id) <= MAX_ID_BYTES; // longer ids are refused with ValidationError
 * ```
 */
export const MAX_ID_BYTES = 1500;
/**
 * Firestore's documented limit on one document (1 MiB).
 *
 * @example
 * ```ts
 * const fits = documentSize('messages', id, { body: 'x'.repeat(2_000_000) }) <= MAX_DOCUMENT_BYTES; // false
 * ```
 */
export const MAX_DOCUMENT_BYTES = 1_048_576;
/**
 * Firestore's documented limit on one commit request (10 MiB); batches stay under it.
 *
 * @example
 * ```ts
 * firestore({ projectId: 'p', maxBatchBytes: MAX_REQUEST_BYTES / 2 });
 * ```
 */
export const MAX_REQUEST_BYTES = 10 * 1_048_576;

// Field paths come only from the schema, and only plain names qualify: no
// dots (nesting), slashes, backticks or the reserved `__x__` form.
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = /^__.*__$/;

/**
 * Why `id` cannot be a Firestore document id, or undefined when it can.
 *
 * @example
 * ```ts
 * idProblem('a/b'); // 'contains "/"'
 * ```
 */
export function idProblem(id: unknown): string | undefined {
  if (typeof id !== 'string' || id.length === 0) return 'expected a non-empty string id';
  if (id.includes('/')) return 'contains "/" (Firestore would read it as a sub-path)';
  if (id === '.' || id === '..') return 'is "." or "..", which Firestore does not allow as a document id';
  if (RESERVED.test(id)) return 'has the reserved form __name__';
  if (Buffer.byteLength(id) > MAX_ID_BYTES) return `is longer than ${MAX_ID_BYTES} bytes`;
  return undefined;
}

/**
 * Raise ValidationError unless every id can be a Firestore document id.
 *
 * @example
 * ```ts
 * assertIds(schema, rows.map((r) => r.id));
 * ```
 */
export function assertIds(schema: RepositorySchema, ids: readonly unknown[], prefix = ''): void {
  const issues: ValidationIssue[] = [];
  ids.forEach((id, i) => {
    const problem = idProblem(id);
    if (problem) issues.push({ path: ids.length === 1 && !prefix ? 'id' : `${prefix}[${i}].id`, message: `${problem} (${schema.name} on Firestore)` });
  });
  if (issues.length) throw new ValidationError(issues);
}

const checked = new WeakSet<RepositorySchema>();

/**
 * Check once per schema that its collection and field names are safe
 * Firestore names, so no caller-controlled string ever becomes a path.
 *
 * @example
 * ```ts
 * assertSchemaNames(schema); // ValidationError for a field named 'a.b'
 * ```
 */
export function assertSchemaNames(schema: RepositorySchema): void {
  if (checked.has(schema)) return;
  const issues: ValidationIssue[] = [];
  // defineRepository checks the table too, but a plugin's extendSchema (or a
  // caller of the driver) can hand over a storage schema it never saw.
  const table = schema.table;
  if (typeof table !== 'string' || !FIELD_NAME.test(table) || RESERVED.test(table)) {
    issues.push({ path: `${schema.name}.table`, message: 'collection names must be letters, digits and _ (no "/", ".", backticks or __x__)' });
  }
  for (const name of Object.keys(schema.fields)) {
    if (!FIELD_NAME.test(name) || RESERVED.test(name)) {
      issues.push({ path: `${schema.name}.${name}`, message: 'Firestore field names must be letters, digits and _ (no "/", ".", backticks or __x__)' });
    }
  }
  if (issues.length) throw new ValidationError(issues, { context: 'schema' });
  checked.add(schema);
}

/**
 * Firestore's storage size of a value, by its documented formula.
 *
 * @example
 * ```ts
 * valueSize('abc'); // 4
 * ```
 */
export function valueSize(v: unknown): number {
  if (v === null || v === undefined || typeof v === 'boolean') return 1;
  if (typeof v === 'number' || typeof v === 'bigint') return 8;
  if (typeof v === 'string') return Buffer.byteLength(v) + 1;
  if (v instanceof Uint8Array) return v.byteLength;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + valueSize(x), 0);
  if (typeof v === 'object') {
    if (typeof (v as { toMillis?: unknown }).toMillis === 'function') return 8;
    let n = 0;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) n += Buffer.byteLength(k) + 1 + valueSize(x);
    return n;
  }
  return 8;
}

/**
 * Storage size of a document: its name, its fields, and 32 bytes.
 *
 * @example
 * ```ts
 * documentSize('messages', 'm1', { body: 'hello' }); // 71 (Firestore's storage size formula)
 * ```
 */
export function documentSize(collection: string, id: string, data: Record<string, unknown>): number {
  let n = Buffer.byteLength(collection) + 1 + Buffer.byteLength(id) + 1 + 16 + 32;
  // Field names are schema names (ASCII, checked by assertSchemaNames), so length is their byte size.
  for (const k in data) n += k.length + 1 + valueSize(data[k]);
  return n;
}

/**
 * Raise ValidationError for documents over Firestore's 1 MiB limit.
 *
 * @example
 * ```ts
 * assertDocumentSize(schema, id, data, '[3]');
 * ```
 */
export function assertDocumentSize(schema: RepositorySchema, id: string, data: Record<string, unknown>, path = '(input)'): number {
  const size = documentSize(schema.table, id, data);
  if (size > MAX_DOCUMENT_BYTES) {
    throw new ValidationError([{ path, message: `the ${schema.name} document would be ${size} bytes, over Firestore's 1 MiB (${MAX_DOCUMENT_BYTES}) limit; store large content elsewhere` }]);
  }
  return size;
}
