import { Timestamp } from '@google-cloud/firestore';
import { IntegrityError } from '@chatcore/core';
import type { FieldMeta, RepositorySchema, StoredRow } from '@chatcore/core/driver';

/**
 * Firestore document data as the SDK reads and writes it.
 *
 * @example
 * ```ts
 * const data: DocumentFields = snapshot.data()!;
 * ```
 */
export type DocumentFields = Record<string, unknown>;

/**
 * Encode one stored value for Firestore. bigint stays a bigint (the SDK
 * writes it as a 64-bit integer, which sorts numerically); JSON is kept as
 * its text, because Firestore maps refuse `__x__` keys and arrays cannot
 * nest, and a JSON value may contain both.
 *
 * @example
 * ```ts
 * encodeValue(schema.fields.createdAt, new Date()); // a Date (the SDK stores a Timestamp)
 * ```
 */
export function encodeValue(meta: FieldMeta, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (meta.type) {
    case 'json':
      return JSON.stringify(value);
    case 'bytes':
      return Buffer.from((value as Uint8Array).buffer, (value as Uint8Array).byteOffset, (value as Uint8Array).byteLength);
    case 'timestamp':
      return Timestamp.fromMillis((value as Date).getTime());
    case 'array':
      return (value as unknown[]).map((v) => encodeValue(meta.items!, v));
    default:
      return value;
  }
}

/**
 * Decode one Firestore value into the field's storage type. The client runs
 * with `useBigInt`, so every integer arrives as a bigint and is narrowed
 * here by the schema.
 *
 * @example
 * ```ts
 * decodeValue(schema.fields.age, 42n); // 42
 * ```
 */
export function decodeValue(meta: FieldMeta, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (meta.type) {
    case 'integer':
    case 'number':
    case 'version':
      return typeof value === 'bigint' ? Number(value) : value;
    case 'bigint':
      return typeof value === 'bigint' ? value : BigInt(value as number);
    case 'timestamp':
      return value instanceof Timestamp ? value.toDate() : value instanceof Date ? value : new Date(value as string);
    case 'bytes':
      return new Uint8Array(value as Uint8Array);
    case 'json':
      return typeof value === 'string' ? JSON.parse(value) : value;
    case 'array':
      return (value as unknown[]).map((v) => decodeValue(meta.items!, v));
    default:
      return value;
  }
}

/**
 * A stored row as Firestore document data: every schema field but `id`
 * (the document id), with explicit nulls so ordered queries keep the
 * document (Firestore drops documents that lack an order field).
 *
 * @example
 * ```ts
 * await collection.doc(row.id as string).create(encodeRow(schema, row));
 * ```
 */
export function encodeRow(schema: RepositorySchema, row: StoredRow): DocumentFields {
  const out: DocumentFields = {};
  for (const name in schema.fields) {
    if (name === 'id') continue;
    out[name] = encodeValue(schema.fields[name]!, row[name]);
  }
  return out;
}

/**
 * Document data back to a stored row (all fields, or `select` plus id). A
 * json field whose stored text is not JSON (edited outside chatcore) raises
 * IntegrityError naming the repository, field and document.
 *
 * @example
 * ```ts
 * const row = decodeRow(schema, snap.id, snap.data()!);
 * ```
 */
export function decodeRow(schema: RepositorySchema, id: string, data: DocumentFields, select?: readonly string[]): StoredRow {
  const row: StoredRow = { id };
  const names = select ?? Object.keys(schema.fields);
  for (const name of names) {
    if (name === 'id') continue;
    const meta = schema.fields[name];
    if (!meta) continue;
    try {
      row[name] = decodeValue(meta, data[name]);
    } catch (error) {
      if (!(error instanceof SyntaxError) || meta.type !== 'json') throw error;
      throw unreadableJson(schema, id, name, error);
    }
  }
  return row;
}

/** Where JSON.parse stopped, when it says (its messages may quote the text, which is never shown). */
function jsonPosition(error: SyntaxError): string {
  const at = /position (\d+)/.exec(error.message);
  return at ? ` (at position ${at[1]})` : '';
}

/** A json field whose stored text does not parse (written outside chatcore): named, its value never shown. */
function unreadableJson(schema: RepositorySchema, id: string, field: string, cause: SyntaxError): IntegrityError {
  return new IntegrityError(
    `The stored value of ${schema.name}.${field} in document ${id} of ${schema.table} is not JSON${jsonPosition(cause)}: it was written outside chatcore. Restore it from a backup or rewrite it; nothing else of the document was read.`,
    { cause, info: { backend: 'firestore', repository: schema.name, field, id, reason: 'not-json' } },
  );
}
