import type { KeyObject } from 'node:crypto';
import type { StoredRow } from '@chatcore/core/plugin';
import { IntegrityError } from '@chatcore/core';
import { PrefixMac } from './prefix-mac.js';
import { RowMacV1 } from './row-auth-v1.js';
import { base64urlLength, writeBase64url } from './base64url-bytes.js';
import { BOUND_PREFIX, freshRowAuth, recordedCount, rowBinding } from './row-binding.js';

/**
 * Storage field of the per-row authenticator (column `row_auth`).
 *
 * @example
 * ```ts
 * row[AUTH_FIELD]; // 'a2.Xq3...' (22 base64url characters after the prefix)
 * ```
 */
export const AUTH_FIELD = 'rowAuth';

/** The format written: keyed SHA-256 (PrefixMac) over the netstring message below. */
const PREFIX = 'a2.';
/** The first format (HMAC-SHA256, RowMacV1): still accepted, never written. */
const PREFIX_V1 = 'a1.';
const MAC_BYTES = 16;

/**
 * The keys of a repository's row authenticator: the current format's
 * 64-byte key, and the first format's HMAC key to check rows written
 * before it.
 *
 * @example
 * ```ts
 * const keys: RowAuthKeys = { key: ring.rowAuthKey('users'), v1Key: ring.authKey('users') };
 * ```
 */
export interface RowAuthKeys {
  /** 64 bytes (one SHA-256 block): the `a2` key. */
  readonly key: KeyObject;
  /** The `a1` HMAC key; without it, `a1` rows fail their check. */
  readonly v1Key?: KeyObject;
}

/**
 * The per-row authenticator of one repository: a 128-bit MAC over the
 * record id, its version and every stored ciphertext of the row (each
 * encrypted field that holds a value, by name and in plan order, in field
 * mode; the envelope in record mode). Clearing or filling a field changes
 * the message as surely as replacing its value; a protected field added
 * later leaves older rows verifying. AES-GCM binds a value to its row and
 * field; this binds the values of a row to each other and to the row's
 * version, so that writing back an older ciphertext of one field, or an
 * older envelope, no longer verifies once the version has moved on.
 *
 * Format `a2`: `SHA-256(K ‖ message)[0..16]`, K a 64-byte subkey filling the
 * first block (PrefixMac), the message each piece as `<byte length>:<utf8>`
 * (id, version, then name and value of each non-empty slot). The encoding
 * is prefix-free (a piece starts with a digit; SHA-256 padding starts with
 * 0x80) and the tag truncated, so length extension does not apply. One hash
 * call per row where HMAC makes two. Rows written as `a1` (HMAC-SHA256 over
 * u32-prefixed pieces) still verify and move to a current format on
 * their next write.
 *
 * Format `b1`, written for every row that holds at least one protected
 * value: no MAC at all. The authenticator text is the row's value count and
 * a fresh random nonce per write (`b1.2.` + 72 bits), and every value of the
 * row is sealed with `rowBinding(text, version)` appended to its AES-GCM
 * AAD, so the decryption a read does anyway is the check: a value from
 * another state of the row, or a changed version, fails to open
 * (IntegrityError); `check` then compares the recorded count with the
 * values the row holds (a cleared or added value). `a2` stays for rows
 * without protected values (there is nothing to bind them through).
 *
 * @example
 * ```ts
 * const auth = new RowAuthenticator({ key: ring.rowAuthKey('users'), v1Key: ring.authKey('users') }, ['email', 'ssn'], 'version', 'users');
 * stored.rowAuth = auth.compute(stored);
 * auth.check(stored, false); // throws IntegrityError when a value or the version was swapped
 * ```
 */
export class RowAuthenticator {
  readonly #mac: PrefixMac;
  readonly #v1: RowMacV1 | undefined;
  /** `<byte length>:<name>` of each slot, the message's constant pieces. */
  readonly #heads: readonly string[];

  constructor(
    keys: RowAuthKeys,
    /** Storage fields holding ciphertext, in a fixed order. */
    readonly slots: readonly string[],
    readonly versionField: string | undefined,
    readonly repository: string,
  ) {
    this.#mac = new PrefixMac(keys.key);
    this.#v1 = keys.v1Key ? new RowMacV1(keys.v1Key, slots, versionField) : undefined;
    this.#heads = slots.map(head);
  }

  /** The storage fields a row must carry to be checked (a projection is widened to them). */
  fields(): string[] {
    return [...this.slots, AUTH_FIELD, ...(this.versionField ? [this.versionField] : [])];
  }

  /**
   * The binding to open the values of a stored `b1` row with (see
   * row-binding.ts), or undefined for a row of another format.
   */
  bindingOf(row: StoredRow): string | undefined {
    const text = row[AUTH_FIELD];
    if (typeof text !== 'string' || !text.startsWith(BOUND_PREFIX)) return undefined;
    return rowBinding(text, this.versionField ? row[this.versionField] : undefined);
  }

  /**
   * A fresh `b1` authenticator and binding for a row about to be written
   * with `count` protected values and `version`; undefined when `count` is
   * 0 (the row gets an `a2` MAC from `compute`).
   */
  bind(version: unknown, count: number): { readonly auth: string; readonly binding: string } | undefined {
    if (count === 0) return undefined;
    const auth = freshRowAuth(count);
    return { auth, binding: rowBinding(auth, version) };
  }

  /** How many of the row's slots hold a value. */
  countOf(row: StoredRow): number {
    let n = 0;
    for (let i = 0; i < this.slots.length; i++) {
      const v = row[this.slots[i]!];
      if (v !== null && v !== undefined) n++;
    }
    return n;
  }

  /** The `a2` authenticator of a storage row (its id, version and ciphertexts as they will be stored). */
  compute(row: StoredRow): string {
    writeBase64url(this.digest(row, undefined), MAC_BYTES, expected, PREFIX.length);
    return expected.toString('latin1', 0, TEXT_LENGTH);
  }

  /**
   * Check a stored row. A missing authenticator passes only with
   * `acceptMissing` (rows written before authenticators existed); anything
   * else that does not match raises IntegrityError naming the record.
   * `renamed` checks a row written before fields were renamed: each listed
   * slot is covered under its old name with the old ciphertext. A `b1` row
   * is checked by opening its values with `bindingOf` (the caller does);
   * here its recorded count is compared with the values it holds.
   */
  check(row: StoredRow, acceptMissing: boolean, renamed?: readonly RenamedSlot[]): void {
    const stored = row[AUTH_FIELD];
    if (stored === null || stored === undefined) {
      if (acceptMissing) return;
      throw this.failed(row, 'has no row authenticator (written before authenticators were enabled, or removed). Restore it from a backup');
    }
    const text = String(stored);
    if (text.startsWith(BOUND_PREFIX)) {
      if (recordedCount(text) === this.countOf(row) + (renamed?.length ?? 0)) return;
      throw this.failed(row, MISMATCH);
    }
    if (text.length !== TEXT_LENGTH) throw this.failed(row, MISMATCH);
    let digest: string;
    if (text.startsWith(PREFIX)) digest = this.digest(row, renamed);
    else if (this.#v1 !== undefined && text.startsWith(PREFIX_V1)) digest = this.#v1.digest(row, renamed);
    else throw this.failed(row, MISMATCH);
    writeBase64url(digest, MAC_BYTES, expected, PREFIX.length);
    // Constant time over the tag (the prefix, already matched, is not secret).
    let diff = 0;
    for (let i = PREFIX.length; i < TEXT_LENGTH; i++) diff |= text.charCodeAt(i) ^ expected[i]!;
    if (diff !== 0) throw this.failed(row, MISMATCH);
  }

  /**
   * The `a2` MAC of a row as a latin1 string (see the class comment). The
   * message is laid out in the MAC's own buffer and hashed at once
   * (synchronous: nothing else uses the buffer meanwhile). Usually all of it
   * is ASCII (ids, versions, field names, base64url ciphertexts): then each
   * character is a byte, the lengths are the strings' lengths and the whole
   * message is one string written with one call; otherwise the lengths are
   * counted in UTF-8 bytes and it is written again.
   */
  private digest(row: StoredRow, renamed: readonly RenamedSlot[] | undefined): string {
    const id = String(row.id);
    const version = this.versionField ? String(row[this.versionField] ?? '') : '';
    let text = id.length + ':' + id + version.length + ':' + version;
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      let name = this.#heads[i]!;
      let v = row[slots[i]!];
      if (renamed !== undefined) {
        const old = renamed.find((r) => r.slot === slots[i]);
        if (old) {
          name = head(old.name);
          v = old.value;
        }
      }
      if (v === null || v === undefined) continue;
      const value = typeof v === 'string' ? v : String(v);
      text += name + value.length + ':' + value;
    }
    const at = PrefixMac.MESSAGE_AT;
    const n = this.#mac.message(at + text.length * 3).write(text, at, 'utf8');
    if (n === text.length) return this.#mac.digestLatin1(at + n);
    return this.#mac.digestLatin1(this.writeBytes(row, renamed));
  }

  /** The message with non-ASCII text, each length in UTF-8 bytes; returns the end. */
  private writeBytes(row: StoredRow, renamed: readonly RenamedSlot[] | undefined): number {
    const piece = (s: string) => Buffer.byteLength(s, 'utf8') + ':' + s;
    let text = piece(String(row.id)) + piece(this.versionField ? String(row[this.versionField] ?? '') : '');
    for (const s of this.slots) {
      const old = renamed === undefined ? undefined : renamed.find((r) => r.slot === s);
      const v = old ? old.value : row[s];
      if (v === null || v === undefined) continue;
      text += piece(old ? old.name : s) + piece(String(v));
    }
    const at = PrefixMac.MESSAGE_AT;
    return at + this.#mac.message(at + text.length * 3).write(text, at, 'utf8');
  }

  /** Zero the key material (at close). */
  wipe(): void {
    this.#mac.wipe();
    this.#v1?.wipe();
  }

  private failed(row: StoredRow, why: string): IntegrityError {
    return new IntegrityError(`Record ${String(row.id)} of ${this.repository} ${why}.`, { info: { repository: this.repository, id: row.id, field: AUTH_FIELD } });
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
  /** The row's stored authenticator when the value was read: another one now means the row was written since. */
  readonly auth?: unknown;
}

/** A field name as a message piece. */
function head(name: string): string {
  return Buffer.byteLength(name, 'utf8') + ':' + name;
}

const MISMATCH = 'does not match its row authenticator: a value or the version was replaced (by an older ciphertext or envelope: restore it from a backup), or the key that roots row authenticators changed (the first key in encryption.keys, or blind_index.key)';
/** The prefix and 22 base64url characters. */
const TEXT_LENGTH = PREFIX.length + base64urlLength(MAC_BYTES);
/** The authenticator text computed last (`a2.` written once). */
const expected = Buffer.allocUnsafeSlow(TEXT_LENGTH);
expected.write(PREFIX, 0, 'latin1');
