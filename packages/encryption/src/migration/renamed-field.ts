import type { FieldMeta, RenamedFieldReader, StoredRow } from '@chatcore/core/plugin';
import { PluginError } from '@chatcore/core';
import { toSnakeCase } from '@chatcore/core/plugin';
import type { Keyring } from '../keys/keyring.js';
import { ValueCipher } from '../crypto/value-cipher.js';
import { decodeValue } from '../crypto/plaintext-codec.js';
import type { RepositoryPlan } from '../repository-plan.js';
import { AUTH_FIELD, type RenamedSlot } from '../crypto/row-authenticator.js';
import { reportingFailures, type SecuritySink } from '../security-reports.js';

/**
 * How to read a protected field's values stored under its previous name.
 * Each ciphertext is bound to its repository, field name and record id
 * (AAD) and sealed under a per-field subkey, so values written as `from`
 * open only with `from`'s cipher; a migration reads them here and writes
 * them again through the repository, sealed for `to` with a new blind index.
 * With row authenticators, the row's authenticator still covers the value
 * under `from`: each row read here is remembered (id, old name, old
 * ciphertext, the authenticator read: another one at the write means the
 * row was written since, a ConflictError) so that the update writing `to` checks the stored
 * authenticator under the old names and writes one over the new layout,
 * in the same write (write-paths.ts). A tampered row fails that check with
 * IntegrityError and is not rewritten. A value that does not open is
 * reported to `sink` like a read's.
 *
 * @example
 * ```ts
 * const reader = renamedFieldReader('encryption', ring, plan, 'email', 'contact', sink);
 * const plaintext = reader?.read({ id, email: storedCiphertext });
 * ```
 */
export function renamedFieldReader(pluginName: string, ring: Keyring, plan: RepositoryPlan, from: string, to: string, sink: SecuritySink): RenamedFieldReader | undefined {
  const p = plan.fields.get(to);
  if (!p) return undefined;
  if (plan.mode === 'record') {
    throw new PluginError(pluginName, `${plan.name} is sealed (record mode): a migration cannot rename ${from} to ${to} inside the envelope yet; add the new field, copy the values with a backfill, then drop the old one.`, { info: { repository: plan.name, field: to } });
  }
  const storage = plan.storage!.fields;
  const column = toSnakeCase(from);
  const fields: Record<string, FieldMeta> = { [from]: { ...storage[to]!, column } };
  if (p.indexField) fields[`${from}Bidx`] = { ...storage[p.indexField]!, column: `${column}_bidx` };
  const cipher = new ValueCipher(ring, plan.name, from, plan.counters);
  // Until the migration rewrote every row, the old column holds ciphertext: the key jobs count it (keyUsage, retireKey).
  plan.oldNames.set(from, { from, to, fields });
  return {
    fields,
    valueField: from,
    // A bound row's value opens with the row's binding: its authenticator and version.
    alsoRead: !plan.auth ? [] : plan.auth.versionField ? [AUTH_FIELD, plan.auth.versionField] : [AUTH_FIELD],
    read(row: StoredRow): unknown {
      const v = row[from];
      if (v === null || v === undefined) return null;
      const id = row.id as string;
      const binding = plan.auth?.bindingOf(row);
      const value = reportingFailures(sink, plan, undefined, id, () => decodeValue(cipher.open(v, id, binding), p.meta.type, p.meta.items));
      if (plan.authMode !== 'off') remember(plan, id, { slot: to, name: from, value: v, auth: row[AUTH_FIELD] });
      return value;
    },
  };
}

/** Rows read but not yet rewritten that are remembered per repository; past this the oldest are forgotten (their rewrite then fails closed, and a rerun reads them again). */
const MAX_PENDING = 100_000;

function remember(plan: RepositoryPlan, id: string, slot: RenamedSlot): void {
  const list = plan.renamed.get(id)?.filter((r) => r.slot !== slot.slot) ?? [];
  list.push(slot);
  plan.renamed.set(id, list);
  if (plan.renamed.size > MAX_PENDING) plan.renamed.delete(plan.renamed.keys().next().value!);
}
