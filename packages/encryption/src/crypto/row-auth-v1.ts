import type { KeyObject } from 'node:crypto';
import type { StoredRow } from '@chatcore/core/plugin';
import { OneShotHmac } from './one-shot-hmac.js';
import type { RenamedSlot } from './row-authenticator.js';

/** Where each piece's byte length goes, until it is known. */
const LENGTH_PLACEHOLDER = '\0\0\0\0';

/**
 * The first row-authenticator format (`a1.`), kept to check rows written
 * with it: HMAC-SHA256 over `u32be(byteLength) ‖ utf8(piece)` for the id,
 * the version, then the name and value of each non-empty slot. New rows get
 * the current format (see RowAuthenticator); an `a1` row moves to it on its
 * next write.
 *
 * @example
 * ```ts
 * const v1 = new RowMacV1(ring.authKey('users'), ['email'], 'version');
 * v1.digest(row, undefined); // 32 bytes as a latin1 string
 * ```
 */
export class RowMacV1 {
  readonly #mac: OneShotHmac;
  /** The message's pieces (id, version, then name and value of each non-empty slot), reused. */
  readonly #parts: string[] = [];

  constructor(key: KeyObject, private readonly slots: readonly string[], private readonly versionField: string | undefined) {
    this.#mac = new OneShotHmac(key);
  }

  /**
   * HMAC-SHA256 of the row's message as a latin1 string. Usually all of it is
   * ASCII: then it is written with one call, the length prefixes as
   * placeholders filled in afterwards; otherwise piece by piece.
   */
  digest(row: StoredRow, renamed: readonly RenamedSlot[] | undefined): string {
    const parts = this.#parts;
    parts.length = 0;
    parts.push(String(row.id), this.versionField ? String(row[this.versionField] ?? '') : '');
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
}
