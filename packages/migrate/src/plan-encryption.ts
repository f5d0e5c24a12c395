import { MigrationError, type Database, type RepositoryMap } from '@chatcore/core';
import type { RepositorySchema, StoredTable } from '@chatcore/core/driver';
import type { Plugin } from '@chatcore/core/plugin';

/** Stored values of each field sampled to tell ciphertext from plaintext. */
const SAMPLE = 50;

/** What the plugins say of a stored value: the first answer, or undefined when none stores the field. */
function vouched(plugins: readonly Plugin[], repository: string, field: string, value: unknown): boolean | undefined {
  for (const p of plugins) {
    const answer = p.isStoredCiphertext?.(repository, field, value);
    if (answer !== undefined) return answer;
  }
  return undefined;
}

/**
 * Refuse (MigrationError) to plan a change that encrypts a field whose
 * stored values are plaintext: no migration step encrypts values in place,
 * and the plugin would read every such row as tampered. The installed
 * plugins tell a ciphertext by its shape (`Plugin.isStoredCiphertext`); a
 * field no plugin answers for is not checked. The message gives the
 * supported path: a new sensitive field, backfilled from the plain one.
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
    const plain = rows.find((row) => row[name] != null && vouched(db.plugins, storage.name, name, row[name]) === false);
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
