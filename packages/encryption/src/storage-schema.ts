import type { FieldMeta, IndexSchema, RepositorySchema, SensitiveOptions } from '@chatcore/core/plugin';
import { ConfigError } from '@chatcore/core';
import { toSnakeCase } from '@chatcore/core/plugin';
import type { FieldPlan, RepositoryPlan } from './repository-plan.js';
import { AUTH_FIELD } from './crypto/row-authenticator.js';

function searchOptions(p: FieldPlan): SensitiveOptions {
  return Object.freeze({ searchable: p.searchable, ...(p.normalize ? { normalize: p.normalize } : {}) });
}

function ciphertextMeta(p: FieldPlan, pluginName: string): FieldMeta {
  const { meta } = p;
  return Object.freeze({
    type: 'text',
    column: meta.column,
    optional: meta.optional,
    unique: false,
    indexed: false,
    secret: false,
    // Marked sensitive whatever the source (schema or sensitiveFields), so that plugins and tools that redact see it.
    sensitive: searchOptions(p),
    storedAs: 'ciphertext',
    annotations: Object.freeze({ ...meta.annotations, [pluginName]: Object.freeze({ logicalType: meta.type, blindIndex: p.indexField }) }),
  } satisfies FieldMeta);
}

function blindIndexMeta(p: FieldPlan, pluginName: string): FieldMeta {
  return Object.freeze({
    type: 'string',
    column: `${p.meta.column ?? p.name}_bidx`,
    optional: p.meta.optional,
    unique: p.meta.unique,
    indexed: !p.meta.unique,
    secret: false,
    storedAs: 'blind-index',
    // Rows written before it was added have no value here: drivers leave adding it to a migration's backfill.
    derivedFrom: p.name,
    annotations: Object.freeze({ [pluginName]: Object.freeze({ blindIndexOf: p.name }) }),
  } satisfies FieldMeta);
}

function envelopeMeta(plan: RepositoryPlan, pluginName: string): FieldMeta {
  return Object.freeze({
    type: 'text',
    optional: false,
    unique: false,
    indexed: false,
    secret: false,
    sensitive: { searchable: false },
    storedAs: 'sealed-envelope',
    // Tells core which logical fields live in here, so that it validates queries on them before any plugin runs.
    holds: Object.freeze(Object.fromEntries(plan.sealed.map((name) => [name, searchOptions(plan.fields.get(name)!)]))),
    column: toSnakeCase(plan.envelopeField!),
    annotations: Object.freeze({ [pluginName]: Object.freeze({ sealedFields: plan.sealed }) }),
  } satisfies FieldMeta);
}

function mapIndexes(schema: RepositorySchema, plan: RepositoryPlan, fields: Record<string, FieldMeta>): IndexSchema[] {
  const out: IndexSchema[] = [];
  for (const index of schema.indexes) {
    const mapped: string[] = [];
    let droppable = false;
    for (const f of index.fields) {
      const p = plan.fields.get(f);
      if (!p) mapped.push(f);
      else if (p.indexField) mapped.push(p.indexField);
      else if (index.unique) {
        throw new ConfigError(`${schema.name}.${f} is unique but encrypted without a blind index: mark it sensitive({ searchable: true }) so uniqueness can be enforced on its blind index.`);
      } else droppable = true;
    }
    // An index over random ciphertext orders nothing and finds nothing.
    if (droppable) continue;
    const changed = mapped.some((f, i) => f !== index.fields[i]);
    const name = changed ? `${schema.name}_${mapped.map((f) => fields[f]!.column ?? f).join('_')}_${index.unique ? 'key' : 'idx'}` : index.name;
    out.push({ name, fields: mapped, unique: index.unique });
  }
  // Every blind index is looked up by equality: index it even when the
  // logical field was not declared indexed (otherwise each lookup scans).
  for (const p of plan.fields.values()) {
    if (!p.indexField || out.some((i) => i.fields[0] === p.indexField)) continue;
    out.push({ name: `${schema.name}_${fields[p.indexField]!.column ?? p.indexField}_idx`, fields: [p.indexField], unique: false });
  }
  return out;
}

/**
 * The storage schema of a planned repository: ciphertext fields are `text`
 * with no length, range, default, uniqueness or index (random ciphertext
 * would defeat them, and a default would put plaintext into DDL); each
 * searchable field gains a `<field>Bidx` string field carrying its
 * uniqueness and index; in record mode the sealed fields leave storage and
 * one envelope field holds them.
 *
 * @example
 * ```ts
 * storageSchema(plan, 'encryption').fields.emailBidx; // { type: 'string', unique: true, storedAs: 'blind-index', ... }
 * ```
 */
export function storageSchema(plan: RepositoryPlan, pluginName: string): RepositorySchema {
  const schema = plan.logical;
  const fields: Record<string, FieldMeta> = Object.create(null);
  for (const [name, meta] of Object.entries(schema.fields)) {
    const p = plan.fields.get(name);
    if (!p) fields[name] = meta;
    else if (plan.mode === 'field') fields[name] = ciphertextMeta(p, pluginName);
    if (p?.indexField) fields[p.indexField] = blindIndexMeta(p, pluginName);
  }
  if (plan.mode === 'record') fields[plan.envelopeField!] = envelopeMeta(plan, pluginName);
  // Optional: rows written before authenticators existed have none (see rowAuthentication).
  if (plan.authMode !== 'off') fields[AUTH_FIELD] = Object.freeze({ type: 'string', column: 'row_auth', optional: true, unique: false, indexed: false, secret: false, storedAs: 'row-authenticator', annotations: Object.freeze({ [pluginName]: Object.freeze({ rowAuthenticator: true }) }) } satisfies FieldMeta);
  return Object.freeze({
    ...schema,
    fields: Object.freeze(fields),
    indexes: Object.freeze(mapIndexes(schema, plan, fields)),
  });
}
