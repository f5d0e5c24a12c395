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
 * `ctx(repository, field)`, computed once per field.
 *
 * @example
 * ```ts
 * const aad = buildAad(headerFor('k1'), contextBytes(['users', 'email']), id);
 * ```
 */
export function buildAad(header: Buffer, prefix: Buffer, recordId: string, suffix?: Buffer): Buffer {
  const id = Buffer.from(recordId, 'utf8');
  const len = Buffer.allocUnsafe(2);
  len.writeUInt16BE(id.length, 0);
  return Buffer.concat(suffix ? [header, prefix, len, id, suffix] : [header, prefix, len, id]);
}
