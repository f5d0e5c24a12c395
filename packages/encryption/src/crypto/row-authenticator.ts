import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { StoredRow } from '@chatcore/core/plugin';
import { IntegrityError } from '@chatcore/core';
import { ScratchBuffer } from './scratch-buffer.js';

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
  constructor(
    private readonly key: KeyObject,
    /** Storage fields holding ciphertext, in a fixed order. */
    readonly slots: readonly string[],
    readonly versionField: string | undefined,
    readonly repository: string,
  ) {}

  /** The storage fields a row must carry to be checked (a projection is widened to them). */
  fields(): string[] {
    return [...this.slots, AUTH_FIELD, ...(this.versionField ? [this.versionField] : [])];
  }

  /** The authenticator of a storage row (its id, version and ciphertexts as they will be stored). */
  compute(row: StoredRow): string {
    // The message is laid out in one reused buffer and hashed with one update (synchronous: nothing else uses the buffer meanwhile).
    let at = put(0, String(row.id));
    at = put(at, this.versionField ? String(row[this.versionField] ?? '') : '');
    // Each stored value with its field's name; empty fields are left out, so a
    // protected field added later (empty in older rows) does not change their message.
    for (const s of this.slots) {
      const v = row[s];
      if (v === null || v === undefined) continue;
      at = put(at, s);
      at = put(at, String(v));
    }
    const mac = createHmac('sha256', this.key).update(message.view(0, at)).digest();
    message.release(MAX_RESIDENT);
    return PREFIX + mac.toString('base64url', 0, MAC_BYTES);
  }

  /**
   * Check a stored row. A missing authenticator passes only with
   * `acceptMissing` (rows written before authenticators existed); anything
   * else that does not match raises IntegrityError naming the record.
   */
  check(row: StoredRow, acceptMissing: boolean): void {
    const stored = row[AUTH_FIELD];
    if (stored === null || stored === undefined) {
      if (acceptMissing) return;
      throw this.failed(row, 'has no row authenticator (written before authenticators were enabled, or removed)');
    }
    const expected = Buffer.from(this.compute(row), 'latin1');
    const given = Buffer.from(String(stored), 'latin1');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw this.failed(row, 'does not match its row authenticator: a value or the version was replaced by another (an older ciphertext, an older envelope)');
    }
  }

  private failed(row: StoredRow, why: string): IntegrityError {
    return new IntegrityError(`Record ${String(row.id)} of ${this.repository} ${why}. Restore it from a backup.`, { info: { repository: this.repository, id: row.id, field: AUTH_FIELD } });
  }
}

/** A null slot: a length no text can have (u32 0xffffffff). */
const message = new ScratchBuffer(1024);
const MAX_RESIDENT = 256 * 1024;

/** Write `u32be(byteLength) ‖ utf8(text)` at `at`; returns the end. */
function put(at: number, text: string): number {
  const buf = message.ensure(at + 4 + text.length * 3, at);
  const n = buf.write(text, at + 4, 'utf8');
  buf.writeUInt32BE(n, at);
  return at + 4 + n;
}
