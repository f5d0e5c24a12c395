import { MigrationError, type Database, type RepositoryMap } from '@chatcore/core';
import { toSnakeCase, type FieldMeta, type RepositorySchema, type StoredTable } from '@chatcore/core/driver';
import type { Plugin } from '@chatcore/core/plugin';

/** Stored values of each field sampled to tell ciphertext from plaintext. */
const SAMPLE = 50;

/**
 * A stored field whose values a plugin vouches for: a ciphertext field, an
 * envelope, or the column a field kept before an envelope took it in
 * (`envelope` set: the envelope that holds it now).
 */
interface Slot {
  readonly name: string;
  readonly scan: RepositorySchema;
  readonly kind: 'ciphertext' | 'envelope' | 'held';
  readonly envelope?: string;
}

/** The stored column of a field: SQL stores columns, Firestore and memory field names. */
function storedColumn(table: StoredTable, name: string, meta: FieldMeta): string | undefined {
  const column = meta.column ?? toSnakeCase(name);
  return table.columns.has(column) ? column : table.columns.has(name) ? name : undefined;
}

function slotsOf(storage: RepositorySchema, logical: RepositorySchema, table: StoredTable): Slot[] {
  const out: Slot[] = [];
  for (const [name, meta] of Object.entries(storage.fields)) {
    if (meta.storedAs !== 'ciphertext' && meta.storedAs !== 'sealed-envelope') continue;
    if (storedColumn(table, name, meta)) out.push({ name, scan: storage, kind: meta.storedAs === 'ciphertext' ? 'ciphertext' : 'envelope' });
  }
  for (const [envelope, meta] of Object.entries(storage.fields)) {
    for (const name of Object.keys(meta.holds ?? {})) {
      const held = logical.fields[name];
      const column = held && !Object.hasOwn(storage.fields, name) ? storedColumn(table, name, held) : undefined;
      if (!column) continue;
      const scan: RepositorySchema = { ...storage, fields: { id: storage.fields.id!, [name]: { ...held!, column } }, indexes: [] };
      out.push({ name, scan, kind: 'held', envelope });
    }
  }
  return out;
}

/** What the plugins say of a stored value: the first answer, or undefined when none stores the field. */
function vouched(plugins: readonly Plugin[], repository: string, field: string, value: unknown): boolean | undefined {
  for (const p of plugins) {
    const answer = p.isStoredCiphertext?.(repository, field, value);
    if (answer !== undefined) return answer;
  }
  return undefined;
}

function refusal(repo: string, slot: Slot, record: unknown): MigrationError {
  const name = slot.name;
  const info = { repository: repo, field: name, record, reason: 'plaintext-values', ...(slot.envelope ? { envelope: slot.envelope } : {}) };
  if (slot.kind === 'held') {
    return new MigrationError(
      `${repo}.${name} becomes sealed (kept in the envelope ${slot.envelope}), but rows hold values of it outside the envelope (record ${String(record)}): ` +
        `no migration seals stored values in place, and as planned they would be dropped with the column and read as null. Keep ${name} in clear ` +
        `as it was, add a new sealed field (say ${name}Sealed), fill it with m.backfill('${repo}', {}, (row) => ({ ${name}Sealed: row.${name} })), ` +
        `switch reads to it, then drop ${name}. See "Sealing an existing field" in docs/encryption.md.`,
      { info },
    );
  }
  if (slot.kind === 'envelope') {
    return new MigrationError(
      `${repo}.${name} is the sealed envelope of ${repo}, but it holds values that are not envelopes (record ${String(record)}), which every read ` +
        `would refuse: drop the old field ${name} in an earlier migration, or name the envelope otherwise (envelopeField).`,
      { info },
    );
  }
  return new MigrationError(
    `${repo}.${name} becomes encrypted, but its stored values are not (record ${String(record)}): no migration encrypts an existing ` +
      `field in place, and every such row would fail to read. Keep ${name} as it was, add a new sensitive field (say ${name}Encrypted), ` +
      `fill it with m.backfill('${repo}', {}, (row) => ({ ${name}Encrypted: row.${name} })), switch reads to it, then drop ${name} ` +
      `(and rename the new field to ${name} in a later migration if you wish). See "Encrypting an existing field" in docs/encryption.md.`,
    { info },
  );
}

function strayPlaintext(repo: string, name: string, record: unknown): MigrationError {
  return new MigrationError(
    `${repo}.${name} is encrypted, but record ${String(record)} holds a value of it that is not a chatcore ciphertext (written ` +
      `around the library, or restored from elsewhere): that row fails to read, and a migration that rewrites ${repo} would stop at it. ` +
      `\`chatcore keys verify\` (or verify() of the encryption plugin) lists every such value: restore them from a backup, then plan again.`,
    { info: { repository: repo, field: name, record, reason: 'not-ciphertext' } },
  );
}

/**
 * Refuse (MigrationError, reason 'plaintext-values') to plan a change that
 * leaves stored values where the plugin that now stores the field cannot
 * read them: a field that becomes encrypted while its stored values are
 * plaintext (the plugin would read every such row as tampered), or a field
 * that becomes sealed while rows hold values of it in its own column (the
 * envelope lacks them; the plan would drop them). No migration step
 * encrypts or seals values in place. The installed plugins tell a
 * ciphertext by its shape (`Plugin.isStoredCiphertext`); a field no plugin
 * answers for is not checked. The message gives the supported path: a new
 * protected field, backfilled from the old one. A field that already holds
 * ciphertext beside such a value was encrypted before: that value was
 * written around the library (reason 'not-ciphertext'), and the message
 * says to restore it.
 *
 * @example
 * ```ts
 * await refuseEncryptingPlaintext(db, db.schemas.get('people')!, db.people.schema, table); // MigrationError: people.ssn becomes encrypted, but ...
 * ```
 */
export async function refuseEncryptingPlaintext<R extends RepositoryMap>(db: Database<R>, storage: RepositorySchema, logical: RepositorySchema, table: StoredTable): Promise<void> {
  for (const slot of slotsOf(storage, logical, table)) {
    const { name } = slot;
    const rows = await db.driver.query(slot.scan, { where: { kind: 'isNull', field: name, isNull: false }, orderBy: [], limit: SAMPLE, select: ['id', name] }, {});
    const foreign = rows.find((row) => row[name] != null && vouched(db.plugins, storage.name, name, row[name]) === false);
    if (!foreign) continue;
    // Ciphertext beside it: the field was encrypted already, and this value was written around the library.
    const encrypted = slot.kind === 'ciphertext' && rows.some((row) => row[name] != null && vouched(db.plugins, storage.name, name, row[name]) === true);
    throw encrypted ? strayPlaintext(storage.name, name, foreign.id) : refusal(storage.name, slot, foreign.id);
  }
}
