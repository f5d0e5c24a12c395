import { timingSafeEqual, type KeyObject } from 'node:crypto';
import type { StoredRow } from '@chatcore/core/plugin';
import { IntegrityError } from '@chatcore/core';
import { OneShotHmac } from './one-shot-hmac.js';

/**
 * Storage field of the per-row authenticator (column `row_auth`).
 *
 * @example
 * ```ts
 * row[AUTH_FIELD]; // 'a1.Xq3...' (22 base64url characters after the prefix)
 * ```
 */
export const AUTH_FIELD = 'rowAuth';

const PREFIX = 'a1.';
const MAC_BYTES = 16;

/**
 * The per-row authenticator of one repository: HMAC-SHA256 (truncated to
 * 128 bits) over the record id, its version and every stored ciphertext of
 * the row (each encrypted field that holds a value, by name and in plan
 * order, in field mode; the envelope in record mode), each length-prefixed.
 * Clearing or filling a field changes the message as surely as replacing
 * its value; a protected field added later leaves older rows verifying. AES-GCM binds
 * a value to its row and field; this binds the values of a row to each
 * other and to the row's version, so that writing back an older
 * ciphertext of one field, or an older envelope, no longer verifies once
 * the version has moved on.
 *
 * @example
 * ```ts
 * const auth = new RowAuthenticator(ring.authKey('users'), ['email', 'ssn'], 'version', 'users');
 * stored.rowAuth = auth.compute(stored);
 * auth.check(stored, false); // throws IntegrityError when a value or the version was swapped
 * ```
 */
export class RowAuthenticator {
  readonly #mac: OneShotHmac;
  /** The message's pieces (id, version, then name and value of each non-empty slot), reused. */
  readonly #parts: string[] = [];

  constructor(
    key: KeyObject,
    /** Storage fields holding ciphertext, in a fixed order. */
    readonly slots: readonly string[],
    readonly versionField: string | undefined,
    readonly repository: string,
  ) {
    this.#mac = new OneShotHmac(key);
  }

  /** The storage fields a row must carry to be checked (a projection is widened to them). */
  fields(): string[] {
    return [...this.slots, AUTH_FIELD, ...(this.versionField ? [this.versionField] : [])];
  }

  /** The authenticator of a storage row (its id, version and ciphertexts as they will be stored). */
  compute(row: StoredRow): string {
    encodeTag(this.mac(row, undefined));
    return expected.toString('latin1', 0, TEXT_LENGTH);
  }

  /**
   * Check a stored row. A missing authenticator passes only with
   * `acceptMissing` (rows written before authenticators existed); anything
   * else that does not match raises IntegrityError naming the record.
   * `renamed` checks a row written before fields were renamed: each listed
   * slot is covered under its old name with the old ciphertext.
   */
  check(row: StoredRow, acceptMissing: boolean, renamed?: readonly RenamedSlot[]): void {
    const stored = row[AUTH_FIELD];
    if (stored === null || stored === undefined) {
      if (acceptMissing) return;
      throw this.failed(row, 'has no row authenticator (written before authenticators were enabled, or removed)');
    }
    // Both texts are compared as latin1 bytes in fixed buffers, in constant time.
    const text = String(stored);
    if (text.length !== TEXT_LENGTH || !text.startsWith(PREFIX)) throw this.failed(row, MISMATCH);
    encodeTag(this.mac(row, renamed));
    // Stored as latin1 bytes (each character's low byte, as a latin1 write does), in a loop: cheaper than a write call.
    for (let i = 0; i < TEXT_LENGTH; i++) given[i] = text.charCodeAt(i);
    if (!timingSafeEqual(given, expected)) throw this.failed(row, MISMATCH);
  }

  /**
   * HMAC-SHA256 of the row's message (see the class comment), as a latin1
   * string. The message is laid out in the MAC's own buffer and hashed at
   * once (synchronous: nothing else uses the buffer meanwhile). Usually all
   * of it is ASCII (ids, versions, field names, base64url ciphertexts): then
   * it is written with one call, the length prefixes as placeholders filled
   * in afterwards; otherwise piece by piece.
   */
  private mac(row: StoredRow, renamed: readonly RenamedSlot[] | undefined): string {
    const parts = this.#parts;
    parts.length = 0;
    parts.push(String(row.id), this.versionField ? String(row[this.versionField] ?? '') : '');
    // Each stored value with its field's name; empty fields are left out, so a
    // protected field added later (empty in older rows) does not change their message.
    for (const s of this.slots) {
      const old = renamed === undefined ? undefined : renamed.find((r) => r.slot === s);
      const v = old ? old.value : row[s];
      if (v === null || v === undefined) continue;
      parts.push(old ? old.name : s, String(v));
    }
    let text = '';
    for (let i = 0; i < parts.length; i++) text += LENGTH_PLACEHOLDER + parts[i]!;
    const at = OneShotHmac.MESSAGE_AT;
    const buf = this.#mac.message(at + text.length * 3);
    const n = buf.write(text, at, 'utf8');
    if (n !== text.length) return this.#mac.digestLatin1(this.putEach(parts));
    // One byte per character: each piece's byte length is its length.
    let p = at;
    for (let i = 0; i < parts.length; i++) {
      const len = parts[i]!.length;
      buf[p] = len >>> 24;
      buf[p + 1] = (len >>> 16) & 0xff;
      buf[p + 2] = (len >>> 8) & 0xff;
      buf[p + 3] = len & 0xff;
      p += 4 + len;
    }
    return this.#mac.digestLatin1(p);
  }

  /** The message with non-ASCII text: `u32be(byteLength) ‖ utf8(text)` for each piece; returns the end. */
  private putEach(parts: readonly string[]): number {
    let at = OneShotHmac.MESSAGE_AT;
    for (const text of parts) {
      const buf = this.#mac.message(at + 4 + text.length * 3, at);
      const n = buf.write(text, at + 4, 'utf8');
      buf.writeUInt32BE(n, at);
      at += 4 + n;
    }
    return at;
  }

  /** Zero the key material (at close). */
  wipe(): void {
    this.#mac.wipe();
  }

  private failed(row: StoredRow, why: string): IntegrityError {
    return new IntegrityError(`Record ${String(row.id)} of ${this.repository} ${why}. Restore it from a backup.`, { info: { repository: this.repository, id: row.id, field: AUTH_FIELD } });
  }
}

/**
 * A protected field renamed by a migration, in a row not yet rewritten: its
 * value is covered by the stored authenticator under the old field name.
 *
 * @example
 * ```ts
 * auth.check(current, false, [{ slot: 'contact', name: 'email', value: oldCiphertext }]);
 * ```
 */
export interface RenamedSlot {
  /** The slot (new storage field name) the old value stands in for. */
  readonly slot: string;
  /** The field's name when the row was authenticated. */
  readonly name: string;
  /** The stored ciphertext under the old name. */
  readonly value: unknown;
}

const MISMATCH = 'does not match its row authenticator: a value or the version was replaced by another (an older ciphertext, an older envelope)';
/** `a1.` and 22 base64url characters. */
const TEXT_LENGTH = PREFIX.length + Math.ceil((MAC_BYTES * 4) / 3);
/** Where each piece's byte length goes, until it is known. */
const LENGTH_PLACEHOLDER = '\0\0\0\0';
const BASE64URL = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', 'latin1');
/** The authenticator text computed last (`a1.` written once), and a stored one to compare with it. */
const expected = Buffer.allocUnsafeSlow(TEXT_LENGTH);
expected.write(PREFIX, 0, 'latin1');
const given = Buffer.allocUnsafeSlow(TEXT_LENGTH);

/**
 * Write the base64url text of the first MAC_BYTES bytes of a latin1 digest
 * after the prefix in `expected` (what `toString('base64url')` gives, without
 * the native calls and the string in between).
 */
function encodeTag(digest: string): void {
  let o = PREFIX.length;
  let i = 0;
  for (; i + 3 <= MAC_BYTES; i += 3) {
    const w = (digest.charCodeAt(i) << 16) | (digest.charCodeAt(i + 1) << 8) | digest.charCodeAt(i + 2);
    expected[o++] = BASE64URL[w >>> 18]!;
    expected[o++] = BASE64URL[(w >>> 12) & 63]!;
    expected[o++] = BASE64URL[(w >>> 6) & 63]!;
    expected[o++] = BASE64URL[w & 63]!;
  }
  // MAC_BYTES = 16: one byte left, two characters.
  const last = digest.charCodeAt(i);
  expected[o++] = BASE64URL[last >>> 2]!;
  expected[o] = BASE64URL[(last & 3) << 4]!;
}
