import type { FieldMeta, MigrationRewriteStep, RepositorySchema, SearchNormalization, StoredRow } from '@chatcore/core/plugin';
import { ConfigError, PluginError } from '@chatcore/core';
import { toSnakeCase } from '@chatcore/core/plugin';
import type { EncryptionOptions, SealOptions, SensitiveFieldOption } from './encryption-options.js';
import type { ValueCipher } from './crypto/value-cipher.js';
import { fieldList } from './record/record-envelope.js';
import type { BlindIndexer } from './crypto/blind-index.js';
import { RepositoryCounters } from './encryption-stats.js';
import { AUTH_FIELD, type RenamedSlot, type RowAuthenticator } from './crypto/row-authenticator.js';
import { predatesRewrites } from './migration/rewrite-window.js';

/**
 * How one logical field is protected.
 *
 * @example
 * ```ts
 * plan.fields.get('email'); // { name: 'email', searchable: true, indexField: 'emailBidx', ... }
 * ```
 */
export interface FieldPlan {
  readonly name: string;
  readonly meta: FieldMeta;
  readonly searchable: boolean;
  readonly normalize?: SearchNormalization | undefined;
  /** The blind-index storage field, when searchable. */
  readonly indexField?: string | undefined;
  /** Set at connect: the field's cipher (field-level mode). */
  cipher?: ValueCipher;
  /** Set at connect: the field's blind indexer (its HMAC key in private fields), wiped and dropped at close. */
  indexer?: BlindIndexer;
}

/**
 * Everything the plugin needs about one repository, computed once in
 * extendSchema: which fields are encrypted (field mode) or sealed (record
 * mode), the blind-index fields, and the storage schema.
 *
 * @example
 * ```ts
 * const plan = plans.get('users'); if (plan?.mode === 'record') ...
 * ```
 */
export interface RepositoryPlan {
  readonly name: string;
  readonly mode: 'field' | 'record';
  readonly logical: RepositorySchema;
  /** Encrypted (field mode) or sealed (record mode) fields. */
  readonly fields: ReadonlyMap<string, FieldPlan>;
  /** Record mode: the envelope field and the sealed field names in schema order. */
  readonly envelopeField?: string | undefined;
  readonly sealed: readonly string[];
  /** The sealed names and their encoded field list (what envelopes carry and the AAD covers), computed once. */
  readonly envelope: { readonly list: Buffer; readonly names: readonly string[] };
  /** Blind-index storage field → the logical field it serves. */
  readonly indexFields: ReadonlyMap<string, string>;
  /** The searchable fields (those with a blind index), as a list for the hot path. */
  readonly searchable: readonly FieldPlan[];
  /** What a read does with each protected storage field, in one lookup: decrypt it (field mode), open it, or drop it. */
  readonly reads: ReadonlyMap<string, StorageRead>;
  storage?: RepositorySchema;
  /** Set at connect (record mode). */
  envelopeCipher?: ValueCipher;
  /** What `stats()` reports for this repository; the ciphers count into it too. */
  readonly counters: RepositoryCounters;
  /** Row authenticators: whether they are written and checked, and whether a row without one is read. */
  readonly authMode: 'required' | 'accept-missing' | 'off';
  /** Storage fields covered by the row authenticator: the ciphertext fields, or the envelope. */
  readonly authSlots: readonly string[];
  /** Set at connect unless authMode is 'off'. */
  auth?: RowAuthenticator;
  /** Whether blind-index reads are checked against the filter's plaintext. */
  readonly verifyLookups: boolean;
  /**
   * Rows a rename migration has read but not yet rewritten, by record id:
   * the old name and ciphertext of each renamed slot, which the stored
   * authenticator still covers (see migration/renamed-field.ts).
   */
  readonly renamed: Map<string, RenamedSlot[]>;
  /**
   * Renames a migration asked to read (by old field name): their old-name
   * columns hold ciphertext until every row is rewritten, which the key
   * jobs must count (see rotation/old-name-scan.ts).
   */
  readonly oldNames: Map<string, OldNameColumn>;
  /**
   * Data steps of migrations giving this repository its first protected
   * field, running now: while any runs, a row without an authenticator that
   * holds no protected value (written before the repository had one) and
   * that the migration has not rewritten yet is read, and its rewrite adds
   * one (see migration/rewrite-window.ts).
   */
  readonly rewrites: Set<MigrationRewriteStep>;
}

/**
 * A protected field's previous name that a rename migration reads: the
 * storage fields it occupied (as the migration reads them) and the new name.
 *
 * @example
 * ```ts
 * const c: OldNameColumn = { from: 'email', to: 'contact', fields: reader.fields };
 * ```
 */
export interface OldNameColumn {
  readonly from: string;
  readonly to: string;
  readonly fields: Readonly<Record<string, FieldMeta>>;
}

/**
 * How a read treats one storage field: a FieldPlan is decrypted into the
 * field of the same name, `'envelope'` is opened into the sealed fields,
 * `'index'` (a blind index, the row authenticator) is dropped. Fields not listed are copied.
 *
 * @example
 * ```ts
 * const how = plan.reads.get('emailBidx'); // 'index'
 * ```
 */
export type StorageRead = FieldPlan | 'envelope' | 'index';

interface Extra { searchable: boolean; normalize?: SearchNormalization | undefined }

/** Parse `sensitiveFields` into per-repository extra fields, checking every name exists. */
function extraFields(options: EncryptionOptions, schemas: readonly RepositorySchema[]): Map<string, Map<string, Extra>> {
  const out = new Map<string, Map<string, Extra>>();
  const searchable = new Set(options.blindIndex?.fields ?? []);
  for (const [i, item] of (options.sensitiveFields ?? []).entries()) {
    const spec = typeof item === 'string' ? { field: item } : item;
    if (!spec || typeof spec.field !== 'string' || spec.field.length === 0) throw new ConfigError(`sensitiveFields[${i}] must be a field name or { field, searchable }.`);
    const [repoName, fieldName] = spec.field.includes('.') ? spec.field.split('.', 2) as [string, string] : [undefined, spec.field];
    let found = false;
    for (const s of schemas) {
      if (s.ownedBy || (repoName !== undefined && s.name !== repoName)) continue;
      const match = Object.keys(s.fields).find((f) => f === fieldName || toSnakeCase(f) === fieldName || s.fields[f]!.column === fieldName);
      if (!match) continue;
      found = true;
      if (!out.has(s.name)) out.set(s.name, new Map());
      const obj = spec as Exclude<SensitiveFieldOption, string>;
      const named = searchable.has(spec.field) || searchable.has(`${s.name}.${match}`) || searchable.has(match);
      out.get(s.name)!.set(match, { searchable: obj.searchable === true || named, normalize: obj.normalize });
    }
    if (!found) throw new ConfigError(`sensitiveFields names ${spec.field}, which no repository has: check the spelling (use field or repository.field).`);
  }
  for (const name of searchable) {
    const listed = (options.sensitiveFields ?? []).some((item) => (typeof item === 'string' ? item : item.field) === name);
    if (!listed) throw new ConfigError(`blindIndex.fields names ${name}, which is not in sensitiveFields: list it there too (fields marked in the schema declare searchable themselves).`);
  }
  return out;
}

function sealOptions(pluginName: string, schema: RepositorySchema, options: EncryptionOptions): SealOptions | undefined {
  const own = schema.plugins[pluginName] as SealOptions | undefined;
  const seal = own ?? options.repositories?.[schema.name];
  if (seal === undefined) return undefined;
  if (typeof seal !== 'object' || seal === null) throw new ConfigError(`${schema.name}: plugins.${pluginName} must be an object like { seal: true, clear: ['conversationId'] }.`);
  return seal.seal ? seal : undefined;
}

function referenceError(repository: string, field: string, target: string, how: { listed: boolean; sealed: boolean }): ConfigError {
  const steps = [how.listed ? `remove ${repository}.${field} from sensitiveFields` : '', how.sealed ? `list it in the clear fields of ${repository} (clear: ['${field}'])` : ''].filter(Boolean).join(' and ');
  return new ConfigError(`${repository}.${field} references ${target}, so it must stay in clear (encrypted, its references could not be checked or cascaded): ${steps}.`);
}

/**
 * Build the plan of every repository that has something to protect.
 *
 * @example
 * ```ts
 * const plans = planRepositories('encryption', schemas, options);
 * ```
 */
export function planRepositories(pluginName: string, schemas: readonly RepositorySchema[], options: EncryptionOptions): Map<string, RepositoryPlan> {
  const extras = extraFields(options, schemas);
  const plans = new Map<string, RepositoryPlan>();
  for (const schema of schemas) {
    if (schema.ownedBy) continue;
    const extra = extras.get(schema.name) ?? new Map<string, Extra>();
    const seal = sealOptions(pluginName, schema, options);
    const managed = new Set([schema.versionField, schema.createdAtField, schema.updatedAtField, 'id'].filter(Boolean) as string[]);
    for (const f of extra.keys()) {
      if (managed.has(f)) throw new ConfigError(`sensitiveFields names ${schema.name}.${f}, which is managed by chatcore (id, version, timestamps) and cannot be encrypted.`);
    }
    const protectedFields = new Map<string, FieldPlan>();
    const consider = (name: string, meta: FieldMeta): void => {
      if (meta.secret) return; // core hashes secrets; never encrypted
      const e = extra.get(name);
      // Referential integrity is built from the storage schema: an encrypted reference would silently lose it.
      if (meta.references) throw referenceError(schema.name, name, meta.references.repository, { listed: e !== undefined, sealed: seal !== undefined });
      const searchable = meta.sensitive?.searchable === true || e?.searchable === true;
      const normalize = meta.sensitive?.normalize ?? e?.normalize;
      let indexField: string | undefined;
      if (searchable) {
        indexField = `${name}Bidx`;
        if (Object.hasOwn(schema.fields, indexField)) throw new ConfigError(`${schema.name}.${name} is searchable, but the blind-index field name ${indexField} is taken; rename that field.`);
      }
      protectedFields.set(name, { name, meta, searchable, normalize, indexField });
    };
    let sealed: string[] = [];
    let envelopeField: string | undefined;
    if (seal) {
      const clear = new Set(seal.clear ?? []);
      for (const c of clear) {
        if (!Object.hasOwn(schema.fields, c)) throw new ConfigError(`${schema.name}: clear names unknown field ${c}.`);
        if (schema.fields[c]!.sensitive || extra.has(c)) throw new ConfigError(`${schema.name}.${c} is sensitive and cannot be listed as clear.`);
      }
      envelopeField = seal.envelopeField ?? 'sealed';
      if (Object.hasOwn(schema.fields, envelopeField)) throw new ConfigError(`${schema.name} already has a field ${envelopeField}; set envelopeField to another name.`);
      for (const [name, meta] of Object.entries(schema.fields)) {
        if (managed.has(name) || clear.has(name) || meta.secret) continue;
        consider(name, meta);
        sealed.push(name);
      }
      if (sealed.length === 0) throw new ConfigError(`${schema.name} is sealed but every field is clear; remove seal or a clear field.`);
    } else {
      for (const [name, meta] of Object.entries(schema.fields)) if (meta.sensitive || extra.has(name)) consider(name, meta);
      if (protectedFields.size === 0) continue;
    }
    const indexFields = new Map<string, string>();
    for (const p of protectedFields.values()) if (p.indexField) indexFields.set(p.indexField, p.name);
    const searchable = [...protectedFields.values()].filter((p) => p.indexField);
    const authMode = options.rowAuthentication ?? 'required';
    if (!['required', 'accept-missing', 'off'].includes(authMode)) throw new ConfigError(`rowAuthentication must be 'required', 'accept-missing' or 'off' (got ${String(authMode)}).`);
    if (authMode !== 'off' && Object.hasOwn(schema.fields, AUTH_FIELD)) throw new ConfigError(`${schema.name} has a field ${AUTH_FIELD}, which the row authenticator needs: rename that field.`);
    const reads = new Map<string, StorageRead>();
    if (authMode !== 'off') reads.set(AUTH_FIELD, 'index');
    if (envelopeField) reads.set(envelopeField, 'envelope');
    else for (const p of protectedFields.values()) reads.set(p.name, p);
    for (const f of indexFields.keys()) reads.set(f, 'index');
    plans.set(schema.name, { name: schema.name, mode: seal ? 'record' : 'field', logical: schema, fields: protectedFields, envelopeField, sealed, envelope: { list: fieldList(sealed), names: sealed }, indexFields, searchable, reads, counters: new RepositoryCounters(),
      authMode, authSlots: envelopeField ? [envelopeField] : [...protectedFields.keys()], verifyLookups: options.verifyLookups !== false, renamed: new Map(), oldNames: new Map(), rewrites: new Set() });
  }
  return plans;
}

function keysGone(plan: RepositoryPlan): never {
  throw new PluginError('encryption', `the keys for ${plan.name} are not loaded (the database is closed, or not connected yet); the operation did not complete.`);
}

/**
 * The cipher of a field-mode field. Operations still running when the
 * database closes get a PluginError here instead of using dropped keys.
 *
 * @example
 * ```ts
 * const text = cipherOf(plan, p).seal(bytes, id);
 * ```
 */
export function cipherOf(plan: RepositoryPlan, p: FieldPlan): ValueCipher {
  return p.cipher ?? keysGone(plan);
}

/**
 * The envelope cipher of a record-mode repository (a PluginError once closed, like `cipherOf`).
 *
 * @example
 * ```ts
 * const text = sealRecord(envelopeCipherOf(plan), plan.sealed, plan.envelope.list, metas, row, id);
 * ```
 */
export function envelopeCipherOf(plan: RepositoryPlan): ValueCipher {
  return plan.envelopeCipher ?? keysGone(plan);
}

/**
 * The row authenticator of a repository (a PluginError once closed, like `cipherOf`).
 *
 * @example
 * ```ts
 * stored.rowAuth = authOf(plan).compute(stored);
 * ```
 */
export function authOf(plan: RepositoryPlan): RowAuthenticator {
  return plan.auth ?? keysGone(plan);
}

/**
 * Check the row authenticator of a stored row (nothing when authenticators are off).
 *
 * @example
 * ```ts
 * checkRow(plan, stored); // IntegrityError when a ciphertext or the version was replaced
 * ```
 * `renamed`: slots of a row not yet rewritten by a rename migration, covered under their old names.
 */
export function checkRow(plan: RepositoryPlan, stored: StoredRow, renamed?: readonly RenamedSlot[]): void {
  if (plan.authMode === 'off') return;
  const unprotected = plan.rewrites.size > 0 && plan.authSlots.every((s) => stored[s] === null || stored[s] === undefined) && predatesRewrites(plan, String(stored.id));
  authOf(plan).check(stored, plan.authMode === 'accept-missing' || unprotected, renamed);
}

/**
 * The slots of `stored` that a rename migration read (`renamed`, by default
 * those remembered for its id) and that are still unset under their new
 * names: the stored authenticator covers them under their old names.
 *
 * @example
 * ```ts
 * checkRow(plan, stored, pendingRenames(plan, stored));
 * ```
 */
export function pendingRenames(plan: RepositoryPlan, stored: StoredRow, renamed = plan.renamed.get(stored.id as string)): readonly RenamedSlot[] | undefined {
  const still = renamed?.filter((r) => stored[r.slot] === null || stored[r.slot] === undefined);
  return still?.length ? still : undefined;
}

/**
 * The blind indexer of a searchable field (a PluginError once closed, like `cipherOf`).
 *
 * @example
 * ```ts
 * const index = indexerOf(plan, p).of(p.meta, 'ada@example.com', p.normalize); // what blindIndexOf counts
 * ```
 */
export function indexerOf(plan: RepositoryPlan, p: FieldPlan): BlindIndexer {
  return p.indexer ?? keysGone(plan);
}

/**
 * The blind index of a value of a searchable field (null for null), counted
 * in the repository's stats.
 *
 * @example
 * ```ts
 * out.emailBidx = blindIndexOf(plan, plan.fields.get('email')!, row.email);
 * ```
 */
export function blindIndexOf(plan: RepositoryPlan, p: FieldPlan, value: unknown): string | null {
  const index = indexerOf(plan, p).of(p.meta, value, p.normalize);
  if (index !== null) plan.counters.blindIndexes++;
  return index;
}

/**
 * A projection widened to what the row authenticator covers (unchanged
 * without a projection or authenticators): a row read with it can be checked.
 *
 * @example
 * ```ts
 * const select = withAuthFields(plan, ['id', 'email']); // ['id', 'email', 'phone', 'ssn', 'rowAuth', 'version']
 * ```
 */
export function withAuthFields(plan: RepositoryPlan, select: readonly string[] | undefined): readonly string[] | undefined {
  if (!select || !plan.auth) return select;
  const out = new Set(select);
  for (const f of plan.auth.fields()) out.add(f);
  return out.size === select.length ? select : [...out];
}
