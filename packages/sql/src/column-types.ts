import { IntegrityError } from '@chatcore/core';
import { isWideInteger, type FieldMeta } from '@chatcore/core/driver';

/**
 * The PostgreSQL type of a field (DESIGN: the storage schema decides). A
 * plugin that changes how a field is stored (`storedAs`) also sets
 * `meta.type` to the storage type, so this reads `type` only.
 *
 * @example
 * ```ts
 * sqlTypeOf(users.schema.fields.createdAt!); // 'timestamptz'
 * ```
 */
export function sqlTypeOf(meta: FieldMeta): string {
  switch (meta.type) {
    case 'id': case 'string': case 'text': case 'enum': return 'text';
    case 'integer': return isWideInteger(meta) ? 'bigint' : 'integer';
    case 'version': return 'integer';
    case 'bigint': return 'bigint';
    case 'number': return 'double precision';
    case 'boolean': return 'boolean';
    case 'timestamp': return 'timestamptz';
    case 'bytes': return 'bytea';
    case 'json': return 'jsonb';
    case 'array': return `${meta.items ? sqlTypeOf(meta.items) : 'text'}[]`;
  }
}


const UDT: Record<string, string> = {
  text: 'text', integer: 'int4', bigint: 'int8', 'double precision': 'float8', boolean: 'bool',
  timestamptz: 'timestamptz', bytea: 'bytea', jsonb: 'jsonb',
};

/**
 * The `information_schema.columns.udt_name` PostgreSQL reports for a SQL type
 * (`text[]` -> `_text`), used to compare declared and existing columns.
 *
 * @example
 * ```ts
 * udtNameOf('integer[]'); // '_int4'
 * ```
 */
export function udtNameOf(sqlType: string): string {
  if (sqlType.endsWith('[]')) return `_${udtNameOf(sqlType.slice(0, -2))}`;
  return UDT[sqlType] ?? sqlType;
}

/** Existing column types that read and write correctly for a declared one (widening only). */
const COMPATIBLE: Record<string, readonly string[]> = {
  int4: ['int8'],
  _int4: ['_int8'],
  text: ['varchar'],
  _text: ['_varchar'],
  jsonb: ['json'],
};

/**
 * Whether an existing column of type `existing` can serve a declared type.
 *
 * @example
 * ```ts
 * isCompatibleUdt('int4', 'int8'); // true: a wider column is fine
 * ```
 */
export function isCompatibleUdt(declared: string, existing: string): boolean {
  return declared === existing || (COMPATIBLE[declared]?.includes(existing) ?? false);
}

type Codec = (value: unknown) => unknown;

function toBigint(v: unknown): unknown {
  if (typeof v === 'string' || typeof v === 'number') return BigInt(v);
  return v;
}

function toNumber(v: unknown): unknown {
  if (typeof v === 'string' || typeof v === 'bigint') return Number(v);
  return v;
}

/**
 * int8 of a wide integer field: a stored value past ±(2^53 - 1) has no exact
 * JS number, so it is refused rather than read back rounded. chatcore never
 * writes one (increments are guarded); another writer may have.
 */
function toSafeInteger(at: string): Codec {
  return (v) => {
    const n = toNumber(v);
    if (typeof n === 'number' && !Number.isSafeInteger(n)) {
      throw new IntegrityError(`The stored value of ${at} lies outside the safe integer range ±(2^53 - 1) and cannot be read exactly (chatcore does not write such values). Correct it in the database, or declare the field f.bigint().`, { info: { field: at } });
    }
    return n;
  };
}

function toBytes(v: unknown): unknown {
  if (v instanceof Uint8Array && v.constructor !== Uint8Array) return new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
  if (typeof v === 'string' && v.startsWith('\\x')) return new Uint8Array(Buffer.from(v.slice(2), 'hex'));
  return v;
}

function toDate(v: unknown): unknown {
  if (typeof v === 'string' || typeof v === 'number') return new Date(v);
  return v;
}

function mapArray(codec: Codec): Codec {
  return (v) => (Array.isArray(v) ? v.map((x) => (x === null ? null : codec(x))) : v);
}

/**
 * How to turn what a client returned into the JS value of the field's storage
 * type (int8 strings to bigint, bytea Buffers to plain Uint8Array, ...), or
 * undefined when the client's value is already right. Computed once per field.
 * `at` (`repository.field`) names the field when a stored value cannot be
 * read: an int8 of a wide integer field past ±(2^53 - 1) raises
 * IntegrityError instead of being rounded.
 *
 * @example
 * ```ts
 * const decode = decoderOf(meta, 'files.size'); if (decode) row.size = decode(row.size);
 * ```
 */
export function decoderOf(meta: FieldMeta, at = 'a field'): Codec | undefined {
  switch (meta.type) {
    case 'bigint': return toBigint;
    case 'integer': return isWideInteger(meta) ? toSafeInteger(at) : undefined;
    case 'number': return toNumber;
    case 'bytes': return toBytes;
    case 'timestamp': return toDate;
    // jsonb: both clients already parse it (a JSON string value arrives as a JS string).
    case 'array': {
      const inner = meta.items ? decoderOf(meta.items, at) : undefined;
      return inner ? mapArray(inner) : undefined;
    }
    default: return undefined;
  }
}

function encodeJson(v: unknown): unknown {
  return v === null || v === undefined ? null : JSON.stringify(v);
}

function encodeBytes(v: unknown): unknown {
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return v;
}

/**
 * How to turn a field value into a statement parameter both clients accept
 * (JSON text for jsonb, so that arrays are not mistaken for PostgreSQL
 * arrays; Buffers for bytes), or undefined when the value goes as it is.
 *
 * @example
 * ```ts
 * const encode = encoderOf(meta); params.push(encode ? encode(value) : value);
 * ```
 */
export function encoderOf(meta: FieldMeta): Codec | undefined {
  switch (meta.type) {
    case 'json': return encodeJson;
    case 'bytes': return encodeBytes;
    default: return undefined;
  }
}
