import { ScratchBuffer } from './scratch-buffer.js';

/**
 * Length-prefixed context bytes: for each part, u16be(byteLength) then UTF-8.
 * Length prefixes make the encoding unambiguous (`a|bc` ≠ `ab|c`).
 *
 * @example
 * ```ts
 * contextBytes(['users', 'email']); // 00 05 'users' 00 05 'email'
 * ```
 */
export function contextBytes(parts: readonly string[]): Buffer {
  const bufs: Buffer[] = [];
  for (const p of parts) {
    const b = Buffer.from(p, 'utf8');
    const len = Buffer.allocUnsafe(2);
    len.writeUInt16BE(b.length, 0);
    bufs.push(len, b);
  }
  return Buffer.concat(bufs);
}

/**
 * The AAD of one value: `header || ctx(repository, field) || ctx(recordId)`
 * (field-level), or with the field `$record` and then `u16be(n)` plus each
 * sealed field name (record-level, see record-envelope.ts), then, for a
 * value bound to its row's state (row-binding.ts), `ctx(binding)`. `prefix`
 * is `ctx(repository, field)`, computed once per field. The result is only
 * valid until the next call (it is a view of a reused buffer): pass it
 * straight to the cipher.
 *
 * @example
 * ```ts
 * const aad = buildAad(headerFor('k1'), contextBytes(['users', 'email']), id);
 * ```
 */
export function buildAad(header: Buffer, prefix: Buffer, recordId: string, suffix?: Buffer, binding?: string): Buffer {
  // Built in a shared scratch buffer: the cipher copies the AAD synchronously
  // (setAAD), so the bytes are only needed until this call's caller returns.
  const max = header.length + prefix.length + 4 + (recordId.length + (binding?.length ?? 0)) * 3 + (suffix?.length ?? 0);
  if (scratch.length < max) scratch = Buffer.allocUnsafeSlow(Math.max(max, scratch.length * 2));
  let at = header.copy(scratch, 0);
  at += prefix.copy(scratch, at);
  at = writePart(scratch, at, recordId);
  if (suffix) at += suffix.copy(scratch, at);
  if (binding !== undefined) at = writePart(scratch, at, binding);
  return scratch.subarray(0, at);
}

/** `u16be(byteLength) || utf8(text)` at `at`; returns the end. A text of more than 65535 bytes is refused, never truncated. */
function writePart(buf: Buffer, at: number, text: string): number {
  const len = buf.write(text, at + 2, 'utf8');
  if (len > 0xffff) throw new RangeError('A record id longer than 65535 bytes cannot be bound into ciphertext.');
  buf[at] = len >> 8;
  buf[at + 1] = len & 0xff;
  return at + 2 + len;
}

let scratch = Buffer.allocUnsafeSlow(1024);

/**
 * The field-level AAD of one key and field, for record after record: the
 * constant `header || ctx(repository, field)` is written once, and only the
 * record id part (and the row binding, when given) is rewritten when it
 * changes. Like `buildAad`, the result is only valid until the next call:
 * pass it straight to the cipher.
 *
 * @example
 * ```ts
 * const aad = new RecordAad(headerFor('k1'), contextBytes(['users', 'email']));
 * decipher.setAAD(aad.of(id));
 * ```
 */
export class RecordAad {
  private readonly scratch: ScratchBuffer;
  private readonly idAt: number;
  private lastId: string | undefined;
  private lastBinding: string | undefined;
  private last: Buffer | undefined;

  constructor(header: Buffer, prefix: Buffer) {
    this.idAt = header.length + prefix.length;
    this.scratch = new ScratchBuffer(this.idAt + 2 + 96);
    const buf = this.scratch.bytes;
    header.copy(buf, 0);
    prefix.copy(buf, header.length);
  }

  /** The AAD for `recordId` and `binding` (byte-identical to `buildAad(header, prefix, recordId, undefined, binding)`). */
  of(recordId: string, binding?: string): Buffer {
    if (recordId === this.lastId && binding === this.lastBinding) return this.last!;
    // Checked before anything is written, so a refused id leaves the cached AAD intact.
    if (recordId.length > 0x5555 && Buffer.byteLength(recordId, 'utf8') > 0xffff) throw new RangeError('A record id longer than 65535 bytes cannot be bound into ciphertext.');
    const buf = this.scratch.ensure(this.idAt + 4 + (recordId.length + (binding?.length ?? 0)) * 3, this.idAt);
    let end = writePart(buf, this.idAt, recordId);
    if (binding !== undefined) end = writePart(buf, end, binding);
    this.lastId = recordId;
    this.lastBinding = binding;
    return (this.last = this.scratch.view(0, end));
  }
}
