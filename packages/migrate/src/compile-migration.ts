import { MigrationError } from '@chatcore/core';
import type { FieldMeta, RepositorySchema, SchemaChange, StoredField, StoredTable } from '@chatcore/core/driver';
import type { Plugin, RenamedFieldReader, StoredRow } from '@chatcore/core/plugin';
import { toSnakeCase } from '@chatcore/core/driver';
import type { BackfillFn, MigrationStep } from './migration-steps.js';

const DEFAULT_BATCH = 500;

/**
 * A repository as the migration sees it: the property it has on `db`, its
 * declared (logical) schema and its storage schema.
 *
 * @example
 * ```ts
 * const info: RepositoryInfo = { key: 'users', logical: users.schema, storage: db.schemas.get('users')! };
 * ```
 */
export interface RepositoryInfo {
  readonly key: string;
  readonly logical: RepositorySchema;
  readonly storage: RepositorySchema;
}

/**
 * A data step, ready to run: `copy` reads stored values from a column the
 * repositories no longer declare (a renamed encrypted field, the old
 * values of a retyped field) and writes them through the repository;
 * `backfill` rewrites rows through the repository.
 *
 * @example
 * ```ts
 * if (step.kind === 'copy') console.log(`${step.repository}: ${step.from} -> ${step.to}`);
 * ```
 */
export type DataStep =
  | {
      readonly kind: 'copy';
      readonly repository: string;
      readonly key: string;
      /** Storage schema to scan with: id, the old storage fields and the new fields. */
      readonly scan: RepositorySchema;
      /** Old storage field → new field; consecutive copies of one repository share a pass over its rows. */
      readonly pairs: readonly CopyPair[];
      readonly batchSize: number;
    }
  | {
      readonly kind: 'backfill';
      readonly repository: string;
      readonly key: string;
      readonly where: unknown;
      readonly batchSize: number;
      readonly fn: BackfillFn;
      /** Required fields this migration adds to the repository: a patch may not set them to undefined. */
      readonly fills: readonly string[];
    };

/**
 * One value copied by a `copy` step: read from the old storage field, written to the new field through the repository.
 *
 * @example
 * ```ts
 * const pair: CopyPair = { from: 'priorityBefore', to: 'priority', read: (row) => Number(row.priorityBefore) };
 * ```
 */
export interface CopyPair {
  readonly from: string;
  readonly to: string;
  readonly read: (row: StoredRow) => unknown;
}

/**
 * What applying a migration runs: schema changes that make room (expand),
 * data steps, then the changes that need the data in place (contract).
 * Without data steps, expand and contract run as one transaction.
 *
 * @example
 * ```ts
 * const compiled = compileMigration(steps, repositories, plugins, tables);
 * compiled.description; // ['rename users.email to contact (re-encrypt)', ...]
 * ```
 */
export interface CompiledMigration {
  readonly expand: readonly SchemaChange[];
  readonly expandEnsure: readonly RepositorySchema[];
  readonly data: readonly DataStep[];
  readonly contract: readonly SchemaChange[];
  readonly contractEnsure: readonly RepositorySchema[];
  readonly description: readonly string[];
  /** For each step (in the migration's order), the index in `data` of the data step it feeds, if any. */
  readonly dataStepOf: readonly (number | undefined)[];
  /** Logical fields added by addField steps, by repository. */
  readonly added: ReadonlyMap<string, ReadonlySet<string>>;
}

function isBlindIndexOf(meta: FieldMeta, field: string): boolean {
  return Object.values(meta.annotations ?? {}).some((a) => (a as { blindIndexOf?: unknown } | null)?.blindIndexOf === field);
}

/** The storage fields that hold a logical field: itself and its blind index, if any. */
function storageFieldsOf(storage: RepositorySchema, field: string): string[] {
  const out = Object.hasOwn(storage.fields, field) ? [field] : [];
  for (const [name, meta] of Object.entries(storage.fields)) if (isBlindIndexOf(meta, field)) out.push(name);
  return out;
}

function stored(storage: RepositorySchema, name: string): StoredField {
  return { name, meta: storage.fields[name]! };
}

/** A field that no declaration describes any more (dropped, or the old side of a rename). */
function legacyField(name: string, like: FieldMeta | undefined, column = toSnakeCase(name)): StoredField {
  return { name, meta: { type: 'text', optional: true, unique: false, indexed: false, secret: false, ...like, column } };
}

class Compiler {
  readonly expand: SchemaChange[] = [];
  readonly contractDrops: SchemaChange[] = [];
  readonly contractRequire: SchemaChange[] = [];
  readonly data: DataStep[] = [];
  readonly description: string[] = [];
  /** Storage fields this migration creates or fills, by repository. */
  readonly touched = new Map<string, Set<string>>();
  /** Storage fields to keep nullable until the data steps ran. */
  readonly relaxed = new Map<string, Set<string>>();
  /** Logical fields added by addField steps, by repository. */
  readonly added = new Map<string, Set<string>>();
  /** Logical fields of addIndex/addUnique steps, by repository: a backfill fills their new blind indexes. */
  readonly indexed = new Map<string, Set<string>>();
  /** Old table name of repositories renamed by this migration. */
  readonly tableBefore = new Map<string, string>();

  constructor(
    readonly id: string,
    readonly repositories: ReadonlyMap<string, RepositoryInfo>,
    readonly plugins: readonly Plugin[],
    readonly tables: ReadonlyMap<string, StoredTable>,
  ) {}

  fail(message: string, info: Record<string, unknown> = {}): never {
    throw new MigrationError(`Migration ${this.id}: ${message}`, { info: { id: this.id, ...info } });
  }

  repo(name: string): RepositoryInfo {
    return this.repositories.get(name) ?? this.fail(`no repository is named ${name}; steps name repositories as the code declares them now.`, { repository: name });
  }

  field(r: RepositoryInfo, name: string): FieldMeta {
    return r.logical.fields[name] ?? this.fail(`repository ${r.logical.name} declares no field ${name}; steps name fields as the code declares them now.`, { repository: r.logical.name, field: name });
  }

  columns(r: RepositoryInfo): StoredTable['columns'] {
    return this.tables.get(this.tableBefore.get(r.logical.name) ?? r.storage.table)?.columns ?? new Map();
  }

  /** What the database holds for a storage field: by column (SQL) or by field name (memory, Firestore). */
  storedColumn(r: RepositoryInfo, field: StoredField): { type: string; nullable: boolean } | undefined {
    const columns = this.columns(r);
    return columns.get(field.meta.column ?? field.name) ?? columns.get(field.name);
  }

  touch(r: RepositoryInfo, field: string, relax: boolean): void {
    for (const f of storageFieldsOf(r.storage, field)) {
      if (!this.touched.has(r.logical.name)) this.touched.set(r.logical.name, new Set());
      this.touched.get(r.logical.name)!.add(f);
      if (relax) this.requireAfterData(r, f);
    }
  }

  /** A required storage field stays nullable until the data steps filled it, then becomes required. */
  requireAfterData(r: RepositoryInfo, f: string): void {
    if (r.storage.fields[f]!.optional || this.relaxed.get(r.logical.name)?.has(f)) return;
    if (!this.relaxed.has(r.logical.name)) this.relaxed.set(r.logical.name, new Set());
    this.relaxed.get(r.logical.name)!.add(f);
    this.contractRequire.push({ kind: 'setRequired', table: r.storage.table, field: stored(r.storage, f), required: true });
  }

  /** A column that goes away in the contract phase accepts null from the start, so writes of the new code work meanwhile. */
  retire(r: RepositoryInfo, field: StoredField): void {
    const col = this.storedColumn(r, field);
    if (!col) return;
    if (!col.nullable) this.expand.push({ kind: 'setRequired', table: this.tableBefore.get(r.logical.name) ?? r.storage.table, field, required: false });
    this.contractDrops.push({ kind: 'dropField', table: r.storage.table, field });
  }

  reader(repository: string, from: string, to: string): RenamedFieldReader | undefined {
    for (const p of this.plugins) {
      const reader = p.renamedFieldReader?.(repository, from, to);
      if (reader) return reader;
    }
    return undefined;
  }

  step(step: MigrationStep): void {
    switch (step.kind) {
      case 'renameRepository': {
        const r = this.repo(step.to);
        const fromTable = toSnakeCase(step.from);
        const rename = (n: string) => (n.startsWith(`${step.to}_`) ? `${step.from}_${n.slice(step.to.length + 1)}` : n);
        const from: RepositorySchema = { ...r.storage, name: step.from, table: fromTable, indexes: r.storage.indexes.map((i) => ({ ...i, name: rename(i.name) })) };
        if (!this.tables.has(fromTable)) this.fail(`renameRepository: the database has no table ${fromTable} (repository ${step.from}).`, { repository: step.from });
        this.expand.push({ kind: 'renameRepository', from, to: r.storage });
        this.tableBefore.set(step.to, fromTable);
        this.description.push(`rename repository ${step.from} to ${step.to}`);
        return;
      }
      case 'addField': {
        const r = this.repo(step.repository);
        // A plugin's own storage field (rowAuth), as earlier plans proposed: it comes with the fields that need it.
        const owned = !Object.hasOwn(r.logical.fields, step.field) && Object.hasOwn(r.storage.fields, step.field);
        if (!owned) this.field(r, step.field);
        this.touch(r, step.field, false);
        // Storage fields a plugin adds for it (the row authenticator of a repository's first encrypted field) come with it.
        if (this.columns(r).size > 0) {
          for (const [name, meta] of Object.entries(r.storage.fields)) {
            if (!Object.hasOwn(r.logical.fields, name) && meta.storedAs !== 'blind-index' && !this.storedColumn(r, stored(r.storage, name))) this.touch(r, name, false);
          }
        }
        if (!this.added.has(step.repository)) this.added.set(step.repository, new Set());
        this.added.get(step.repository)!.add(step.field);
        this.description.push(`add ${step.repository}.${step.field}`);
        return;
      }
      case 'renameField': {
        const r = this.repo(step.repository);
        const meta = this.field(r, step.to);
        if (Object.hasOwn(r.logical.fields, step.from)) this.fail(`renameField: ${step.repository} still declares ${step.from}; declare only ${step.to}.`, { field: step.from });
        const reader = this.reader(step.repository, step.from, step.to);
        if (!reader) {
          this.expand.push({ kind: 'renameField', table: r.storage.table, from: legacyField(step.from, r.storage.fields[step.to]), to: stored(r.storage, step.to) });
          this.touch(r, step.to, false);
          this.description.push(`rename ${step.repository}.${step.from} to ${step.to}`);
          return;
        }
        this.touch(r, step.to, true);
        for (const [name, m] of Object.entries(reader.fields)) this.retire(r, { name, meta: m });
        const scanFields: Record<string, FieldMeta> = { id: r.storage.fields.id!, [reader.valueField]: reader.fields[reader.valueField]!, [step.to]: { ...r.storage.fields[step.to]!, optional: true } };
        for (const name of reader.alsoRead ?? []) if (r.storage.fields[name]) scanFields[name] = r.storage.fields[name];
        this.copy(r, step.repository, scanFields, { from: reader.valueField, to: step.to, read: reader.read }, step.batchSize);
        this.description.push(`rename ${step.repository}.${step.from} to ${step.to} (${meta.sensitive ? 'values re-encrypted, blind index rebuilt' : 'values rewritten'} in batches)`);
        return;
      }
      case 'dropField': {
        const r = this.repo(step.repository);
        if (Object.hasOwn(r.logical.fields, step.field)) this.fail(`dropField: ${step.repository} still declares ${step.field}; remove it from the repository first.`, { field: step.field });
        const column = toSnakeCase(step.field);
        this.retire(r, legacyField(step.field, undefined, column));
        const bidx = legacyField(`${step.field}Bidx`, undefined, `${column}_bidx`);
        if (this.storedColumn(r, bidx)) this.retire(r, bidx);
        this.description.push(`drop ${step.repository}.${step.field}`);
        return;
      }
      case 'changeType': {
        const r = this.repo(step.repository);
        const meta = this.field(r, step.field);
        if (r.storage.fields[step.field]?.storedAs) this.fail(`changeType: ${step.repository}.${step.field} is stored transformed (${r.storage.fields[step.field]!.storedAs}); add a new field, backfill it and drop the old one instead.`, { field: step.field });
        const now = stored(r.storage, step.field);
        const oldColumn = `${now.meta.column ?? step.field}__before`;
        const old = legacyField(`${step.field}Before`, { type: step.from, optional: true, unique: false, indexed: false, secret: false }, oldColumn);
        if (this.columns(r).size > 0 && !this.storedColumn(r, now)) this.fail(`changeType: the database has no column for ${step.repository}.${step.field}.`, { field: step.field });
        this.expand.push({ kind: 'renameField', table: r.storage.table, from: { name: step.field, meta: { ...now.meta, type: step.from } }, to: old });
        this.expand.push({ kind: 'setRequired', table: r.storage.table, field: old, required: false });
        this.touch(r, step.field, true);
        this.contractDrops.push({ kind: 'dropField', table: r.storage.table, field: old });
        const convert = step.convert;
        this.copy(r, step.repository, { id: r.storage.fields.id!, [old.name]: old.meta, [step.field]: { ...now.meta, optional: true } }, { from: old.name, to: step.field, read: (row) => convert(row[old.name]) }, step.batchSize);
        this.description.push(`change ${step.repository}.${step.field} from ${step.from} to ${meta.type} (values converted in batches)`);
        return;
      }
      case 'addIndex': {
        const r = this.repo(step.repository);
        const mapped = step.fields.map((f) => { this.field(r, f); return storageFieldsOf(r.storage, f).at(-1)!; });
        const has = r.storage.indexes.some((i) => i.unique === step.unique && i.fields.join(',') === mapped.join(','));
        if (!has) this.fail(`${step.unique ? 'addUnique' : 'addIndex'}: ${step.repository} declares no ${step.unique ? 'unique key' : 'index'} over ${step.fields.join(', ')}; declare it in the repository (unique()/indexed() or options.indexes) first.`, { fields: step.fields });
        for (const f of step.fields) this.touch(r, f, false);
        if (!this.indexed.has(step.repository)) this.indexed.set(step.repository, new Set());
        for (const f of step.fields) this.indexed.get(step.repository)!.add(f);
        this.description.push(`add ${step.unique ? 'unique key' : 'index'} on ${step.repository}(${step.fields.join(', ')})`);
        return;
      }
      case 'addReference': {
        const r = this.repo(step.repository);
        const ref = this.field(r, step.field).references;
        if (!ref?.constraint) this.fail(`addReference: ${step.repository}.${step.field} declares no enforced reference; declare it with .references() first.`, { field: step.field });
        this.touch(r, step.field, false);
        this.description.push(`add reference ${step.repository}.${step.field} -> ${ref!.repository}`);
        return;
      }
      case 'dropIndex': {
        const r = this.repo(step.repository);
        for (const f of step.fields) this.field(r, f);
        const name = `${r.storage.name}_${step.fields.map((f) => r.storage.fields[f]!.column ?? f).join('_')}_${step.unique ? 'key' : 'idx'}`;
        const before: RepositorySchema = { ...r.storage, indexes: [{ name, fields: step.fields, unique: step.unique }] };
        this.contractDrops.push({ kind: 'dropIndex', schema: before, index: name });
        this.description.push(`drop ${step.unique ? 'unique key' : 'index'} on ${step.repository}(${step.fields.join(', ')})`);
        return;
      }
      case 'backfill': {
        const r = this.repo(step.repository);
        const fills = [...(this.added.get(step.repository) ?? [])].filter((name) => r.logical.fields[name]?.optional !== true);
        this.data.push({ kind: 'backfill', repository: step.repository, key: r.key, where: step.where, batchSize: step.batchSize ?? DEFAULT_BATCH, fn: step.fn, fills });
        // A required field added by this migration is filled here before it becomes NOT NULL
        // (decided from the steps alone, so that a resumed run compiles the same contract).
        for (const name of this.added.get(step.repository) ?? []) this.touch(r, name, true);
        // So is the blind index of a required field made searchable: rows written before have none until rewritten.
        for (const name of this.indexed.get(step.repository) ?? []) {
          for (const f of storageFieldsOf(r.storage, name)) if (isBlindIndexOf(r.storage.fields[f]!, name)) this.requireAfterData(r, f);
        }
        this.description.push(`backfill ${step.repository} (batches of ${step.batchSize ?? DEFAULT_BATCH})`);
        return;
      }
    }
  }

  /** Add a copy, sharing the previous step's pass when it copies in the same repository. */
  copy(r: RepositoryInfo, repository: string, fields: Record<string, FieldMeta>, pair: CopyPair, batchSize: number | undefined): void {
    const last = this.data.at(-1);
    if (last?.kind === 'copy' && last.repository === repository) {
      this.data[this.data.length - 1] = { ...last, scan: { ...last.scan, fields: { ...last.scan.fields, ...fields } }, pairs: [...last.pairs, pair], batchSize: Math.min(last.batchSize, batchSize ?? DEFAULT_BATCH) };
      return;
    }
    this.data.push({ kind: 'copy', repository, key: r.key, scan: { ...r.storage, fields, indexes: [] }, pairs: [pair], batchSize: batchSize ?? DEFAULT_BATCH });
  }

  /** The touched part of each repository's storage schema, with relaxed fields optional. */
  ensure(relax: boolean): RepositorySchema[] {
    const out: RepositorySchema[] = [];
    for (const [name, fields] of this.touched) {
      const r = this.repositories.get(name)!;
      const relaxed = relax ? this.relaxed.get(name) : undefined;
      const picked: Record<string, FieldMeta> = { id: r.storage.fields.id! };
      for (const f of fields) picked[f] = relaxed?.has(f) ? { ...r.storage.fields[f]!, optional: true } : r.storage.fields[f]!;
      const indexes = r.storage.indexes.filter((i) => i.fields.every((f) => Object.hasOwn(picked, f)) && i.fields.some((f) => fields.has(f)));
      out.push({ ...r.storage, fields: picked, indexes });
    }
    for (const r of this.repositories.values()) if (r.storage.ownedBy) out.push(r.storage);
    // A touched reference's FOREIGN KEY needs its target's table: name it (id only, nothing else of it is touched).
    for (const schema of [...out]) {
      for (const meta of Object.values(schema.fields)) {
        const target = meta.references?.constraint ? this.repositories.get(meta.references.repository) : undefined;
        if (target && !out.some((s) => s.name === target.storage.name)) out.push({ ...target.storage, fields: { id: target.storage.fields.id! }, indexes: [] });
      }
    }
    return out;
  }
}

/**
 * Turn a migration's steps into what the backend runs, checking every name
 * against the repositories and the database as it is.
 *
 * @example
 * ```ts
 * const compiled = compileMigration('002_contact', steps, repositories, db.plugins, await backend.describe(schemas));
 * ```
 */
export function compileMigration(
  id: string,
  steps: readonly MigrationStep[],
  repositories: ReadonlyMap<string, RepositoryInfo>,
  plugins: readonly Plugin[],
  tables: ReadonlyMap<string, StoredTable>,
): CompiledMigration {
  const c = new Compiler(id, repositories, plugins, tables);
  // A backfill fills the required fields its migration adds, wherever it is listed: see addField steps first.
  const ordered = [...steps.keys()].sort((a, b) => Number(steps[a]!.kind === 'backfill') - Number(steps[b]!.kind === 'backfill') || a - b);
  const dataStepOf: (number | undefined)[] = steps.map(() => undefined);
  for (const i of ordered) {
    const [count, last] = [c.data.length, c.data.at(-1)];
    c.step(steps[i]!);
    // A new data step, or the last one extended (copies of one repository share a pass).
    if (c.data.length !== count || c.data.at(-1) !== last) dataStepOf[i] = c.data.length - 1;
  }
  const relaxedAny = [...c.relaxed.values()].some((s) => s.size > 0);
  if (c.data.length === 0 && relaxedAny) c.fail('it makes fields required that only a data step could fill; add a backfill.');
  return {
    expand: c.expand,
    expandEnsure: c.ensure(c.data.length > 0),
    data: c.data,
    contract: [...c.contractDrops, ...c.contractRequire],
    contractEnsure: c.ensure(false),
    description: c.description,
    dataStepOf,
    added: c.added,
  };
}
