import { MigrationError, type Database, type RepositoryMap } from '@chatcore/core';
import type { RepositorySchema, StoredTable } from '@chatcore/core/driver';

/** Stored values of each field sampled to tell ciphertext from plaintext. */
const SAMPLE = 50;

/**
 * Whether a stored value has the shape of a chatcore ciphertext (format v1:
 * base64url of version 1, algorithm 1, a key id of 1 to 64 characters, a
 * nonce and a tag). Shape only: nothing is decrypted.
 *
 * @example
 * ```ts
 * looksEncrypted('123-45-6789'); // false
 * ```
 */
export function looksEncrypted(value: unknown): boolean {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]+$/.test(value)) return false;
  const bytes = Buffer.from(value, 'base64url');
  const l = bytes[2] ?? 0;
  return bytes[0] === 1 && bytes[1] === 1 && l >= 1 && l <= 64 && bytes.length >= 31 + l && /^[A-Za-z0-9._-]+$/.test(bytes.subarray(3, 3 + l).toString('latin1'));
}

/**
 * Refuse (MigrationError) to plan a change that encrypts a field whose
 * stored values are plaintext: no migration step encrypts values in place,
 * and the plugin would read every such row as tampered. The message gives
 * the supported path: a new sensitive field, backfilled from the plain one.
 *
 * @example
 * ```ts
 * await refuseEncryptingPlaintext(db, db.schemas.get('people')!, table); // MigrationError: people.ssn becomes encrypted, but ...
 * ```
 */
export async function refuseEncryptingPlaintext<R extends RepositoryMap>(db: Database<R>, storage: RepositorySchema, table: StoredTable): Promise<void> {
  for (const [name, meta] of Object.entries(storage.fields)) {
    if (meta.storedAs !== 'ciphertext') continue;
    const column = table.columns.has(meta.column ?? name) ? (meta.column ?? name) : name;
    if (!table.columns.has(column)) continue;
    const rows = await db.driver.query(storage, { where: { kind: 'isNull', field: name, isNull: false }, orderBy: [], limit: SAMPLE, select: ['id', name] }, {});
    const plain = rows.find((row) => row[name] != null && !looksEncrypted(row[name]));
    if (!plain) continue;
    const repo = storage.name;
    throw new MigrationError(
      `${repo}.${name} becomes encrypted, but its stored values are not (record ${String(plain.id)}): no migration encrypts an existing ` +
        `field in place, and every such row would fail to read. Keep ${name} as it was, add a new sensitive field (say ${name}Encrypted), ` +
        `fill it with m.backfill('${repo}', {}, (row) => ({ ${name}Encrypted: row.${name} })), switch reads to it, then drop ${name} ` +
        `(and rename the new field to ${name} in a later migration if you wish). See "Encrypting an existing field" in docs/encryption.md.`,
      { info: { repository: repo, field: name, record: plain.id, reason: 'plaintext-values' } },
    );
  }
}
