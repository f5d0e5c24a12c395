import type { FieldMeta, FieldType } from '@chatcore/core';
import { IntegrityError } from '@chatcore/core';

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
  const tag = bytes[0];
  if (tag === TAG.null && bytes.length === 1) return null;
  const body = bytes.subarray(1);
  switch (type) {
    case 'string': case 'text': case 'enum': case 'id':
      expect(tag, TAG.string);
      return body.toString('utf8');
    case 'integer': case 'number': case 'version':
      expect(tag, TAG.number, body.length === 8);
      return body.readDoubleBE(0);
    case 'bigint':
      expect(tag, TAG.bigint, /^-?\d+$/.test(body.toString('ascii')));
      return BigInt(body.toString('ascii'));
    case 'boolean':
      expect(tag, TAG.boolean, body.length === 1);
      return body[0] === 1;
    case 'timestamp':
      expect(tag, TAG.date, body.length === 8);
      return new Date(body.readDoubleBE(0));
    case 'bytes':
      expect(tag, TAG.bytes);
      return new Uint8Array(body);
    case 'json':
      expect(tag, TAG.json);
      return JSON.parse(body.toString('utf8'));
    case 'array': {
      expect(tag, TAG.array, body.length >= 4);
      const count = body.readUInt32BE(0);
      const out: unknown[] = [];
      let at = 4;
      for (let i = 0; i < count; i++) {
        if (at + 4 > body.length) throw mismatch();
        const len = body.readUInt32BE(at);
        at += 4;
        if (at + len > body.length) throw mismatch();
        out.push(decodeValue(body.subarray(at, at + len), items?.type ?? 'json', items?.items));
        at += len;
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
