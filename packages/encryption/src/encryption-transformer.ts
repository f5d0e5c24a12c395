import type { StoredRow } from '@chatcore/core/plugin';
import { UnsupportedQueryError } from '@chatcore/core';
import { decodeValue, encodeTransient } from './crypto/plaintext-codec.js';
import { openRecord, sealRecord } from './record/record-envelope.js';
import { authOf, blindIndexOf, checkRow, cipherOf, envelopeCipherOf, type FieldPlan, type RepositoryPlan } from './repository-plan.js';
import type { RenamedSlot } from './crypto/row-authenticator.js';
import { AUTH_FIELD } from './crypto/row-authenticator.js';

/**
 * The per-row work of the plugin: logical rows to storage rows (encrypt,
 * add blind indexes, seal) and back (open, decrypt, drop storage-only
 * fields). Plans carry the ciphers derived at connect, so these functions
 * do no key work.
 *
 * @example
 * ```ts
 * const stored = encryptRow(plan, row);
 * const back = decryptRow(plan, stored);
 * ```
 */
export function encryptRow(plan: RepositoryPlan, row: StoredRow): StoredRow {
  const id = row.id as string;
  const out: StoredRow = {};
  const fields = plan.fields;
  // With row authenticators, every value is sealed bound to this state of the row (row-binding.ts).
  const auth = plan.authMode === 'off' ? undefined : authOf(plan);
  const bound = auth?.bind(versionOf(plan, row), plan.mode === 'field' ? auth.countOf(row) : 1);
  const binding = bound?.binding;
  if (plan.mode === 'field') {
    for (const k in row) {
      const v = row[k];
      const p = fields.get(k);
      out[k] = p ? sealField(plan, p, v, id, binding) : v;
    }
  } else {
    for (const k in row) if (!fields.has(k)) out[k] = row[k];
    out[plan.envelopeField!] = sealRecord(envelopeCipherOf(plan), plan.sealed, plan.envelope.list, plan.logical.fields, row, id, binding);
  }
  for (const p of plan.searchable) out[p.indexField!] = blindIndexOf(plan, p, row[p.name]);
  if (auth) out[AUTH_FIELD] = bound ? bound.auth : auth.compute(out);
  return out;
}

/**
 * The version a row holds (undefined for a repository without `f.version()`).
 *
 * @example
 * ```ts
 * authOf(plan).bind(versionOf(plan, after), 2);
 * ```
 */
export function versionOf(plan: RepositoryPlan, row: StoredRow): unknown {
  const field = plan.logical.versionField;
  return field === undefined ? undefined : row[field];
}

/**
 * Turn a storage row into a logical row: decrypt the encrypted fields that
 * are present (projections may leave some out), open the envelope, and drop
 * blind-index and envelope fields. The values of a bound row open with its
 * binding. Returns a new object; `stored` is left as it is.
 *
 * @example
 * ```ts
 * result.rows = result.rows.map((r) => decryptRow(plan, r));
 * ```
 */
export function decryptRow(plan: RepositoryPlan, stored: StoredRow): StoredRow {
  // A new object built in one pass (no `delete`, which would slow every later
  // property access): rows from below may be shared, e.g. by an in-process
  // cache tier that keeps ciphertext rows by reference.
  const id = stored.id as string;
  // A bound row (b1): each value opens only with the row's binding, which is the row check.
  const binding = plan.auth === undefined ? undefined : plan.auth.bindingOf(stored);
  const out: StoredRow = {};
  const reads = plan.reads;
  for (const k in stored) {
    const v = stored[k];
    const how = reads.get(k);
    if (how === undefined) out[k] = v;
    else if (how === 'envelope') {
      const values = openRecord(envelopeCipherOf(plan), plan.logical.fields, v, id, plan.envelope, binding);
      for (const n of plan.sealed) out[n] = values[n] ?? null;
    } else if (how !== 'index') {
      out[k] = v === null || v === undefined ? v : decodeValue(cipherOf(plan, how).open(v, id, binding), how.meta.type, how.meta.items);
    }
  }
  return out;
}

/**
 * A stored row decrypted and checked: each value first (its own error
 * names the field or the missing key), then how they fit together (the row
 * authenticator; `renamed`: slots a rename migration read, still under
 * their old names). A row without an authenticator is judged before its
 * values, which would only fail to open if they were bound.
 *
 * @example
 * ```ts
 * const logical = openRow(plan, stored); // IntegrityError / KeyError when it does not check
 * ```
 */
export function openRow(plan: RepositoryPlan, stored: StoredRow, renamed?: readonly RenamedSlot[]): StoredRow {
  const missing = plan.authMode !== 'off' && (stored[AUTH_FIELD] === null || stored[AUTH_FIELD] === undefined);
  if (missing) checkRow(plan, stored, renamed);
  const out = decryptRow(plan, stored);
  if (!missing) checkRow(plan, stored, renamed);
  return out;
}

/**
 * Whether a patch touches protected fields (so it needs per-record work).
 *
 * @example
 * ```ts
 * if (touchesProtected(plan, op.patch)) ...
 * ```
 */
export function touchesProtected(plan: RepositoryPlan, patch: { readonly set: Readonly<Record<string, unknown>>; readonly increment: Readonly<Record<string, unknown>> }): boolean {
  for (const f of Object.keys(patch.set)) if (plan.fields.has(f)) return true;
  for (const f of Object.keys(patch.increment)) {
    if (plan.fields.has(f)) {
      if (plan.mode === 'field') {
        throw new UnsupportedQueryError(`Increment on ${plan.name}.${f} is not possible: it is encrypted, so the database cannot add to it. Read, add and write the value instead.`, { info: { repository: plan.name, field: f } });
      }
      return true;
    }
  }
  return false;
}

/**
 * Encrypt the `set` part of a field-mode patch for one record (the AAD binds
 * the id, and the row's new state when `binding` is given), adding blind
 * indexes of searchable fields.
 *
 * @example
 * ```ts
 * const set = encryptSet(plan, op.patch.set, id);
 * ```
 */
export function encryptSet(plan: RepositoryPlan, set: Readonly<Record<string, unknown>>, id: string, binding?: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...set };
  for (const [f, value] of Object.entries(set)) {
    const p = plan.fields.get(f);
    if (!p) continue;
    if (p.indexField) out[p.indexField] = blindIndexOf(plan, p, value);
    out[f] = sealField(plan, p, value, id, binding);
  }
  return out;
}

/**
 * The stored text of one field-mode value (null for null), bound to the
 * record id and, when given, to the row's state.
 *
 * @example
 * ```ts
 * stored.email = sealField(plan, plan.fields.get('email')!, 'ada@example.com', id, bound?.binding);
 * ```
 */
export function sealField(plan: RepositoryPlan, p: FieldPlan, value: unknown, id: string, binding?: string): string | null {
  return value === null || value === undefined ? null : cipherOf(plan, p).seal(encodeTransient(value, p.meta.type, p.meta.items), id, binding);
}
