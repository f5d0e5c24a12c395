import type { FieldMeta, RenamedFieldReader, StoredRow } from '@chatcore/core/plugin';
import { PluginError } from '@chatcore/core';
import { toSnakeCase } from '@chatcore/core/plugin';
import type { Keyring } from '../keys/keyring.js';
import { ValueCipher } from '../crypto/value-cipher.js';
import { decodeValue } from '../crypto/plaintext-codec.js';
import type { RepositoryPlan } from '../repository-plan.js';

/**
 * How to read a protected field's values stored under its previous name.
 * Each ciphertext is bound to its repository, field name and record id
 * (AAD) and sealed under a per-field subkey, so values written as `from`
 * open only with `from`'s cipher; a migration reads them here and writes
 * them again through the repository, sealed for `to` with a new blind index.
 *
 * @example
 * ```ts
 * const reader = renamedFieldReader('encryption', ring, plan, 'email', 'contact');
 * const plaintext = reader?.read({ id, email: storedCiphertext });
 * ```
 */
export function renamedFieldReader(pluginName: string, ring: Keyring, plan: RepositoryPlan, from: string, to: string): RenamedFieldReader | undefined {
  const p = plan.fields.get(to);
  if (!p) return undefined;
  if (plan.mode === 'record') {
    throw new PluginError(pluginName, `${plan.name} is sealed (record mode): a migration cannot rename ${from} to ${to} inside the envelope yet; add the new field, copy the values with a backfill, then drop the old one.`, { info: { repository: plan.name, field: to } });
  }
  if (plan.authMode !== 'off') {
    // The row authenticator covers each value under its field's name; rows would need it
    // recomputed under the new name in the same write, which migrations do not do yet.
    throw new PluginError(pluginName, `${plan.name} has row authenticators: a migration cannot rename the protected field ${from} to ${to} yet. Add ${to}, copy the values with a backfill, clear ${from} with a second backfill, then drop it (docs/migrations.md).`, { info: { repository: plan.name, field: to } });
  }
  const storage = plan.storage!.fields;
  const column = toSnakeCase(from);
  const fields: Record<string, FieldMeta> = { [from]: { ...storage[to]!, column } };
  if (p.indexField) fields[`${from}Bidx`] = { ...storage[p.indexField]!, column: `${column}_bidx` };
  const cipher = new ValueCipher(ring, plan.name, from, plan.counters);
  return {
    fields,
    valueField: from,
    read(row: StoredRow): unknown {
      const v = row[from];
      return v === null || v === undefined ? null : decodeValue(cipher.open(v, row.id as string), p.meta.type, p.meta.items);
    },
  };
}
