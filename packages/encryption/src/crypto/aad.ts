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
 * sealed field name (record-level, see record-envelope.ts). `prefix` is
 * `ctx(repository, field)`, computed once per field. The result is only
 * valid until the next call (it is a view of a reused buffer): pass it
 * straight to the cipher.
 *
 * @example
 * ```ts
 * const aad = buildAad(headerFor('k1'), contextBytes(['users', 'email']), id);
 * ```
 */
export function buildAad(header: Buffer, prefix: Buffer, recordId: string, suffix?: Buffer): Buffer {
  // Built in a shared scratch buffer: the cipher copies the AAD synchronously
  // (setAAD), so the bytes are only needed until this call's caller returns.
  const max = header.length + prefix.length + 2 + recordId.length * 3 + (suffix?.length ?? 0);
  if (scratch.length < max) scratch = Buffer.allocUnsafeSlow(Math.max(max, scratch.length * 2));
  let at = header.copy(scratch, 0);
  at += prefix.copy(scratch, at);
  const idLen = scratch.write(recordId, at + 2, 'utf8');
  scratch.writeUInt16BE(idLen, at);
  at += 2 + idLen;
  if (suffix) at += suffix.copy(scratch, at);
  return scratch.subarray(0, at);
}

let scratch = Buffer.allocUnsafeSlow(1024);
