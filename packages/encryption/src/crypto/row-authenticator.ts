import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { StoredRow } from '@chatcore/core/plugin';
import { IntegrityError } from '@chatcore/core';

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
 * the row (each encrypted field in plan order, null included, in field
 * mode; the envelope in record mode), each length-prefixed. AES-GCM binds
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
    const h = createHmac('sha256', this.key);
    update(h, String(row.id));
    update(h, this.versionField ? String(row[this.versionField] ?? '') : '');
    for (const s of this.slots) {
      const v = row[s];
      if (v === null || v === undefined) h.update(NULL_SLOT);
      else update(h, String(v));
    }
    return PREFIX + h.digest().toString('base64url', 0, MAC_BYTES);
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

const NULL_SLOT = Buffer.from([0xff, 0xff, 0xff, 0xff]);

function update(h: ReturnType<typeof createHmac>, text: string): void {
  const len = Buffer.allocUnsafe(4);
  len.writeUInt32BE(Buffer.byteLength(text, 'utf8'), 0);
  h.update(len).update(text, 'utf8');
}
