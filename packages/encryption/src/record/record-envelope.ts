import { IntegrityError } from '@chatcore/core';
import type { FieldMeta } from '@chatcore/core/plugin';
import type { ValueCipher } from '../crypto/value-cipher.js';
import { decodeRange, encodeTransient } from '../crypto/plaintext-codec.js';
import { ScratchBuffer } from '../crypto/scratch-buffer.js';
import { parseCiphertext } from '../crypto/ciphertext-format.js';

const payload = new ScratchBuffer(1024);
const envelope = new ScratchBuffer(1024);
const decoded = new ScratchBuffer(1024);
/** Scratch buffers that grew past this for one large record are given back afterwards. */
const MAX_RESIDENT = 256 * 1024;

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
 * `header ‖ ctx(repository, "$record") ‖ ctx(id) ‖ fieldList`, then
 * `ctx(binding)` for a bound row (row-binding.ts).
 *
 * @example
 * ```ts
 * row.sealed = sealRecord(cipher, names, list, metas, row, row.id);
 * ```
 */
export function sealRecord(cipher: ValueCipher, names: readonly string[], list: Buffer, metas: Readonly<Record<string, FieldMeta>>, row: Readonly<Record<string, unknown>>, id: string, binding?: string): string {
  // The payload is built in a reused buffer, and the envelope sealed into
  // another: no per-field buffers, no concatenation. Buffers grown by one
  // large record are given back, whether or not sealing succeeded.
  try {
    let at = 0;
    for (const n of names) {
      const meta = metas[n]!;
      const enc = encodeTransient(row[n] ?? null, meta.type, meta.items);
      const buf = payload.ensure(at + 4 + enc.length, at);
      buf.writeUInt32BE(enc.length, at);
      buf.set(enc, at + 4);
      at += 4 + enc.length;
    }
    const plain = payload.view(0, at);
    const out = envelope.ensure(1 + list.length + cipher.sealedLength(at));
    out[0] = ENVELOPE_V1;
    list.copy(out, 1);
    return out.toString('base64url', 0, cipher.sealInto(out, 1 + list.length, plain, id, list, binding));
  } finally {
    payload.release(MAX_RESIDENT);
    envelope.release(MAX_RESIDENT);
  }
}

/**
 * Open envelope text back into field values. Fields listed in the envelope
 * that the schema no longer has are ignored; fields the schema seals now but
 * the envelope lacks (added later) read as null. `current` is the field list
 * the plan writes today: an envelope carrying exactly those bytes reuses its
 * names instead of decoding them again. `binding`: that of a bound row.
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
  binding?: string,
): Record<string, unknown> {
  const bad = (why: string) => new IntegrityError(`The sealed envelope of ${cipher.repository} (record ${id}) is malformed (${why}); it was altered. Restore it from a backup.`, { info: { repository: cipher.repository, id } });
  if (typeof text !== 'string') throw bad('not text');
  try {
    // Decoded into a reused buffer: the views below only live until openBytes returns fresh plaintext.
    const bytes = decoded.view(0, decoded.ensure(Math.ceil((text.length * 3) / 4)).write(text, 0, 'base64url'));
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
    const plain = cipher.openBytes(bytes.subarray(at), id, list, binding);
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
  } finally {
    decoded.release(MAX_RESIDENT);
  }
}

/**
 * Whether a stored text is a well-formed envelope: base64url of the
 * version byte, a complete field list and a v1 ciphertext. Shape only:
 * nothing is decrypted.
 *
 * @example
 * ```ts
 * isEnvelopeText(row.sealed); // true
 * isEnvelopeText('a note');   // false
 * ```
 */
export function isEnvelopeText(text: unknown): boolean {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]+$/.test(text)) return false;
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length < 3 || bytes[0] !== ENVELOPE_V1) return false;
  let at = 3;
  for (let i = bytes.readUInt16BE(1); i > 0; i--) {
    if (at >= bytes.length) return false;
    at += 1 + bytes[at]!;
  }
  if (at > bytes.length) return false;
  try {
    parseCiphertext(bytes.subarray(at), 'sealed envelope');
    return true;
  } catch {
    return false;
  }
}

function sameBytes(bytes: Buffer, at: number, expected: Buffer): boolean {
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected[i]) return false;
  return true;
}
