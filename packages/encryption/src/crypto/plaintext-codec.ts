import type { FieldMeta, FieldType } from '@chatcore/core/plugin';
import { IntegrityError } from '@chatcore/core';
import { ScratchBuffer } from './scratch-buffer.js';

/**
 * Type tags of the typed plaintext encoding (docs/encryption.md, "Typed
 * plaintext"). A tag is stored inside the ciphertext, so a value decrypts back
 * to the same JS type it was written as.
 *
 * @example
 * ```ts
 * encodeValue(1n, 'bigint')[0] === TAG.bigint; // true
 * ```
 */
export const TAG = {
  null: 0x00,
  string: 0x01,
  number: 0x02,
  bigint: 0x03,
  boolean: 0x04,
  date: 0x05,
  bytes: 0x06,
  json: 0x07,
  array: 0x08,
} as const;

/**
 * Encode one logical value with its type tag:
 * string → 01 utf8 · number → 02 float64be · bigint → 03 decimal ascii ·
 * boolean → 04 00|01 · Date → 05 float64be(ms) · bytes → 06 raw ·
 * JSON → 07 utf8 JSON · array → 08 u32be(count) then per item u32be(len) item.
 *
 * @example
 * ```ts
 * encodeValue('ada@example.com', 'string'); // <Buffer 01 61 64 61 ...>
 * ```
 */
export function encodeValue(value: unknown, type: FieldType, items?: FieldMeta): Buffer {
  if (value === null || value === undefined) return Buffer.from([TAG.null]);
  switch (type) {
    case 'string': case 'text': case 'enum': case 'id': {
      const s = String(value);
      const out = Buffer.allocUnsafe(1 + Buffer.byteLength(s));
      out[0] = TAG.string;
      out.write(s, 1, 'utf8');
      return out;
    }
    case 'integer': case 'number': case 'version': {
      const out = Buffer.allocUnsafe(9);
      out[0] = TAG.number;
      out.writeDoubleBE(value as number, 1);
      return out;
    }
    case 'bigint':
      return Buffer.concat([Buffer.from([TAG.bigint]), Buffer.from((value as bigint).toString(), 'ascii')]);
    case 'boolean':
      return Buffer.from([TAG.boolean, value ? 1 : 0]);
    case 'timestamp': {
      const out = Buffer.allocUnsafe(9);
      out[0] = TAG.date;
      out.writeDoubleBE((value as Date).getTime(), 1);
      return out;
    }
    case 'bytes': {
      const v = value as Uint8Array;
      const out = Buffer.allocUnsafe(1 + v.byteLength);
      out[0] = TAG.bytes;
      out.set(v, 1);
      return out;
    }
    case 'json':
      return Buffer.concat([Buffer.from([TAG.json]), Buffer.from(JSON.stringify(value), 'utf8')]);
    case 'array': {
      const list = value as readonly unknown[];
      const parts: Buffer[] = [Buffer.from([TAG.array, 0, 0, 0, 0])];
      parts[0]!.writeUInt32BE(list.length, 1);
      for (const item of list) {
        const enc = encodeValue(item, items?.type ?? 'json', items?.items);
        const len = Buffer.allocUnsafe(4);
        len.writeUInt32BE(enc.length, 0);
        parts.push(len, enc);
      }
      return Buffer.concat(parts);
    }
  }
}

const transient = new ScratchBuffer(1024);
/** Strings up to this many characters are encoded into the reused buffer; longer ones allocate. */
const MAX_TRANSIENT_CHARS = 16 * 1024;

/**
 * Like `encodeValue`, for bytes that are consumed at once (by a cipher or a
 * MAC): short strings, numbers, booleans and dates are written into a reused
 * buffer, so the result is only valid until the next call. Never keep it.
 *
 * @example
 * ```ts
 * const text = cipher.seal(encodeTransient(row.email, 'string'), id);
 * ```
 */
export function encodeTransient(value: unknown, type: FieldType, items?: FieldMeta): Buffer {
  if (value === null || value === undefined) return encodeValue(value, type, items);
  switch (type) {
    case 'string': case 'text': case 'enum': case 'id': {
      const s = typeof value === 'string' ? value : String(value);
      if (s.length > MAX_TRANSIENT_CHARS) break;
      const buf = transient.ensure(1 + s.length * 3);
      buf[0] = TAG.string;
      return transient.view(0, 1 + buf.write(s, 1, 'utf8'));
    }
    case 'integer': case 'number': case 'version': case 'timestamp': {
      const buf = transient.bytes;
      buf[0] = type === 'timestamp' ? TAG.date : TAG.number;
      buf.writeDoubleBE(type === 'timestamp' ? (value as Date).getTime() : (value as number), 1);
      return transient.view(0, 9);
    }
  }
  return encodeValue(value, type, items);
}

/**
 * Decode a value written by `encodeValue`, checking that its tag fits the
 * field type (a mismatch means the data was not written for this field).
 *
 * @example
 * ```ts
 * decodeValue(encodeValue(42, 'integer'), 'integer'); // 42
 * ```
 */
export function decodeValue(bytes: Buffer, type: FieldType, items?: FieldMeta): unknown {
  return decodeRange(bytes, 0, bytes.length, type, items);
}

/**
 * Like `decodeValue`, for the value in `bytes[start, end)` (no view object:
 * one costs as much as decoding a short string).
 *
 * @example
 * ```ts
 * decodeRange(plain, at, at + len, 'string'); // a field inside a sealed envelope
 * ```
 */
export function decodeRange(bytes: Buffer, start: number, end: number, type: FieldType, items?: FieldMeta): unknown {
  const tag = bytes[start];
  const at = start + 1;
  const len = end - at;
  if (tag === TAG.null && len === 0) return null;
  switch (type) {
    case 'string': case 'text': case 'enum': case 'id':
      expect(tag, TAG.string, len >= 0);
      return bytes.toString('utf8', at, end);
    case 'integer': case 'number': case 'version':
      expect(tag, TAG.number, len === 8);
      return bytes.readDoubleBE(at);
    case 'bigint': {
      const digits = bytes.toString('ascii', at, end);
      expect(tag, TAG.bigint, /^-?\d+$/.test(digits));
      return BigInt(digits);
    }
    case 'boolean':
      expect(tag, TAG.boolean, len === 1);
      return bytes[at] === 1;
    case 'timestamp':
      expect(tag, TAG.date, len === 8);
      return new Date(bytes.readDoubleBE(at));
    case 'bytes':
      expect(tag, TAG.bytes, len >= 0);
      return new Uint8Array(bytes.subarray(at, end));
    case 'json':
      expect(tag, TAG.json, len >= 0);
      return JSON.parse(bytes.toString('utf8', at, end));
    case 'array': {
      expect(tag, TAG.array, len >= 4);
      const count = bytes.readUInt32BE(at);
      const out: unknown[] = [];
      let p = at + 4;
      for (let i = 0; i < count; i++) {
        if (p + 4 > end) throw mismatch();
        const itemLen = bytes.readUInt32BE(p);
        p += 4;
        if (p + itemLen > end) throw mismatch();
        out.push(decodeRange(bytes, p, p + itemLen, items?.type ?? 'json', items?.items));
        p += itemLen;
      }
      return out;
    }
  }
}

function expect(tag: number | undefined, wanted: number, ok = true): void {
  if (tag !== wanted || !ok) throw mismatch();
}

function mismatch(): IntegrityError {
  return new IntegrityError('A decrypted value does not have the type of its field: the data was not written for this field. Restore it from a backup.');
}
