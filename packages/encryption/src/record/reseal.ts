import type { ValueCipher } from '../crypto/value-cipher.js';
import { IntegrityError } from '@chatcore/core';
import { ENVELOPE_V1 } from './record-envelope.js';

/**
 * Re-encrypt envelope text under the active key without decoding its
 * fields: the field list and payload bytes stay as they are, and so does
 * the row binding of a bound row (`binding`).
 *
 * @example
 * ```ts
 * const fresh = resealEnvelope(cipher, row.sealed, row.id);
 * ```
 */
export function resealEnvelope(cipher: ValueCipher, text: string, id: string, binding?: string): string {
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length < 3 || bytes[0] !== ENVELOPE_V1) throw new IntegrityError(`The sealed envelope of ${cipher.repository} (record ${id}) is malformed; restore it from a backup.`, { info: { repository: cipher.repository, id } });
  const count = bytes.readUInt16BE(1);
  let at = 3;
  for (let i = 0; i < count; i++) at += 1 + (bytes[at] ?? 0);
  const list = bytes.subarray(1, at);
  const plain = cipher.openBytes(bytes.subarray(at), id, list, binding);
  return Buffer.concat([Buffer.from([ENVELOPE_V1]), list, cipher.sealBytes(plain, id, list, binding)]).toString('base64url');
}

/**
 * The start of the inner ciphertext of envelope text (enough for `keyIdOf`), or undefined.
 *
 * @example
 * ```ts
 * keyIdOf(envelopeCiphertext(row.sealed)); // "k1"
 * ```
 */
export function envelopeCiphertext(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length < 3 || bytes[0] !== ENVELOPE_V1) return undefined;
  const count = bytes.readUInt16BE(1);
  let at = 3;
  for (let i = 0; i < count; i++) at += 1 + (bytes[at] ?? 0);
  return bytes.subarray(at, at + 80).toString('base64url');
}
