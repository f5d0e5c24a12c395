import { IntegrityError } from '@chatcore/core';
import type { FieldMeta } from '@chatcore/core';
import type { ValueCipher } from '../crypto/value-cipher.js';
import { decodeRange, encodeValue } from '../crypto/plaintext-codec.js';

/**
 * Version byte of the sealed-envelope wrapper.
 *
 * @example
 * ```ts
 * Buffer.from(row.sealed, 'base64url')[0] === ENVELOPE_V1; // true
 * ```
 */
export const ENVELOPE_V1 = 0x01;

/**
 * The field list of an envelope: `u16be(n)` then, per name, `u8(len)` and
 * UTF-8. It is stored in clear in front of the ciphertext and is part of the
 * AAD, so it cannot be changed without failing authentication.
 *
 * @example
 * ```ts
 * fieldList(['title', 'body']); // 00 02 05 'title' 04 'body'
 * ```
 */
export function fieldList(names: readonly string[]): Buffer {
  const parts: Buffer[] = [Buffer.from([names.length >> 8, names.length & 0xff])];
  for (const n of names) {
    const b = Buffer.from(n, 'utf8');
    parts.push(Buffer.from([b.length]), b);
  }
  return Buffer.concat(parts);
}

/**
 * Seal the listed fields of a logical row into envelope text:
 * `base64url(0x01 ‖ fieldList ‖ v1 ciphertext)`, where the plaintext is, per
 * listed field in order, `u32be(len) ‖ typed value`, and the AAD is
 * `header ‖ ctx(repository, "$record") ‖ ctx(id) ‖ fieldList`.
 *
 * @example
 * ```ts
 * row.sealed = sealRecord(cipher, names, list, metas, row, row.id);
 * ```
 */
export function sealRecord(cipher: ValueCipher, names: readonly string[], list: Buffer, metas: Readonly<Record<string, FieldMeta>>, row: Readonly<Record<string, unknown>>, id: string): string {
  const parts: Buffer[] = [];
  for (const n of names) {
    const meta = metas[n]!;
    const enc = encodeValue(row[n] ?? null, meta.type, meta.items);
    const len = Buffer.allocUnsafe(4);
    len.writeUInt32BE(enc.length, 0);
    parts.push(len, enc);
  }
  const ct = cipher.sealBytes(Buffer.concat(parts), id, list);
  return Buffer.concat([Buffer.from([ENVELOPE_V1]), list, ct]).toString('base64url');
}

/**
 * Open envelope text back into field values. Fields listed in the envelope
 * that the schema no longer has are ignored; fields the schema seals now but
 * the envelope lacks (added later) read as null. `current` is the field list
 * the plan writes today: an envelope carrying exactly those bytes reuses its
 * names instead of decoding them again.
 *
 * @example
 * ```ts
 * Object.assign(row, openRecord(cipher, metas, row.sealed, row.id));
 * ```
 */
export function openRecord(
  cipher: ValueCipher,
  metas: Readonly<Record<string, FieldMeta>>,
  text: unknown,
  id: string,
  current?: { readonly list: Buffer; readonly names: readonly string[] },
): Record<string, unknown> {
  const bad = (why: string) => new IntegrityError(`The sealed envelope of ${cipher.repository} (record ${id}) is malformed (${why}); it was altered. Restore it from a backup.`, { repository: cipher.repository, id });
  if (typeof text !== 'string') throw bad('not text');
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length < 3 || bytes[0] !== ENVELOPE_V1) throw bad('unknown envelope version');
  let names: readonly string[];
  let at: number;
  if (current && bytes.length > current.list.length && sameBytes(bytes, 1, current.list)) {
    names = current.names;
    at = 1 + current.list.length;
  } else {
    const count = bytes.readUInt16BE(1);
    const parsed: string[] = [];
    at = 3;
    for (let i = 0; i < count; i++) {
      const len = bytes[at];
      if (len === undefined || at + 1 + len > bytes.length) throw bad('truncated field list');
      parsed.push(bytes.toString('utf8', at + 1, at + 1 + len));
      at += 1 + len;
    }
    names = parsed;
  }
  const list = bytes.subarray(1, at);
  const plain = cipher.openBytes(bytes.subarray(at), id, list);
  const out: Record<string, unknown> = {};
  let p = 0;
  for (const n of names) {
    if (p + 4 > plain.length) throw bad('truncated payload');
    const len = plain.readUInt32BE(p);
    p += 4;
    if (p + len > plain.length) throw bad('truncated payload');
    const meta = metas[n];
    if (meta) out[n] = decodeRange(plain, p, p + len, meta.type, meta.items);
    p += len;
  }
  return out;
}

function sameBytes(bytes: Buffer, at: number, expected: Buffer): boolean {
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected[i]) return false;
  return true;
}
