import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MigrationError, type Database, type RepositoryMap } from '@chatcore/core';
import type { FieldMeta, FieldType, MigrationBackend, RepositorySchema, StoredTable } from '@chatcore/core/driver';
import { migrationStatus } from './migrate.js';
import type { MigrationSource } from './load-migrations.js';
import { backfillTodo, conversionTodo } from './todo-markers.js';
import { refuseEncryptingPlaintext } from './plan-encryption.js';

/**
 * One difference between the repositories and the database, and the step
 * source that resolves it (`null` for what needs no step: a new
 * repository, which `migrate` creates, or a plugin's own storage field,
 * such as the row authenticator, created with the fields it serves).
 *
 * @example
 * ```ts
 * const d: PlannedChange = { repository: 'users', kind: 'addField', field: 'plan', step: "m.addField('users', 'plan');" };
 * ```
 */
export interface PlannedChange {
  readonly repository: string;
  readonly kind: 'createRepository' | 'addField' | 'dropField' | 'changeType' | 'addIndex' | 'addUnique' | 'rebuildBlindIndex';
  readonly field?: string | undefined;
  readonly step: string | null;
}

/**
 * What `planMigration` found: the differences, the skeleton source of a
 * migration that resolves them, and the ambiguities the author must settle
 * in it (a drop plus an add in one repository may be a rename).
 *
 * @example
 * ```ts
 * const plan: MigrationPlan = await planMigration(db);
 * if (plan.changes.length === 0) console.log('the database matches the repositories');
 * ```
 */
export interface MigrationPlan {
  readonly changes: readonly PlannedChange[];
  /** Questions written into the skeleton as comments (e.g. "is users.name renamed to displayName?"). */
  readonly questions: readonly string[];
  /** The source of a migration module for `id`. */
  readonly source: string;
}

const STORED_TYPES: Readonly<Record<string, FieldType>> = {
  text: 'string', varchar: 'string', int4: 'integer', int8: 'bigint', float8: 'number', numeric: 'number', bool: 'boolean',
  timestamptz: 'timestamp', bytea: 'bytes', jsonb: 'json', json: 'json',
};

function camelCase(column: string): string {
  return column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function isBlindIndex(meta: FieldMeta): boolean {
  return meta.storedAs === 'blind-index';
}

function blindIndexSource(meta: FieldMeta): string | undefined {
  return Object.values(meta.annotations ?? {}).map((a) => (a as { blindIndexOf?: string }).blindIndexOf).find(Boolean);
}

/** Write every existing value of `field` again through the repository, so the plugin computes its blind index. */
function rebuildStep(repo: string, field: string): string {
  return `m.backfill(${q(repo)}, { batchSize: 500 }, (row) => (row.${field} == null ? undefined : { ${field}: row.${field} })); // rebuilds the blind index of ${field} for existing rows`;
}

function diffRepository(storage: RepositorySchema, logical: RepositorySchema, table: StoredTable | undefined, backend: MigrationBackend, changes: PlannedChange[], questions: string[]): void {
  const repo = logical.name;
  if (!table) {
    changes.push({ repository: repo, kind: 'createRepository', step: null });
    return;
  }
  const declaredColumns = new Set<string>();
  const added: string[] = [];
  const rebuilds: PlannedChange[] = []; // after the indexes, which the expand phase creates
  const rebuilt = new Set<string>(); // their blind-index fields
  for (const [name, meta] of Object.entries(storage.fields)) {
    // SQL stores columns, Firestore and memory field names.
    const column = table.columns.has(meta.column ?? name) ? (meta.column ?? name) : name;
    declaredColumns.add(meta.column ?? name).add(name);
    if (isBlindIndex(meta)) {
      // Follows its field; but a field that was encrypted and becomes searchable has values and no index yet.
      // Its values are in its own storage field, or (record mode) in the envelope that holds it.
      const of = blindIndexSource(meta);
      const holder = of === undefined ? undefined : storage.fields[of] ? ([of, storage.fields[of]] as const) : Object.entries(storage.fields).find(([, m]) => m.holds && Object.hasOwn(m.holds, of));
      const stored = (n: string, m: FieldMeta) => table.columns.has(m.column ?? n) || table.columns.has(n);
      if (of && holder && !stored(name, meta) && stored(holder[0], holder[1])) {
        rebuilds.push({ repository: repo, kind: 'rebuildBlindIndex', field: of, step: rebuildStep(repo, of) });
        rebuilt.add(name);
      }
      continue;
    }
    const col = table.columns.get(column);
    if (!col && !Object.hasOwn(logical.fields, name)) {
      // A plugin's own field (row authenticator, envelope): created with the fields it serves; no step names it.
      changes.push({ repository: repo, kind: 'addField', field: name, step: null });
      continue;
    }
    if (!col) {
      added.push(name);
      const required = !logical.fields[name]!.optional;
      changes.push({ repository: repo, kind: 'addField', field: name, step: `m.addField(${q(repo)}, ${q(name)});` });
      if (required) {
        changes.push({ repository: repo, kind: 'addField', field: name, step: `m.backfill(${q(repo)}, { batchSize: 500 }, (row) => ({ ${name}: undefined ${backfillTodo(name)} }));` });
      }
      continue;
    }
    if (!backend.holds(meta, col.type)) {
      const from = STORED_TYPES[col.type] ?? 'string';
      changes.push({ repository: repo, kind: 'changeType', field: name, step: `m.changeType(${q(repo)}, ${q(name)}, { from: ${q(from)}, convert: (value) => value ${conversionTodo(from, logical.fields[name]?.type ?? meta.type)} });` });
    }
    if (col.missing && Object.hasOwn(logical.fields, name)) {
      // Firestore documents written before the field was declared lack it: a null test or an order by it leaves them
      // out. addField stores it (null) on them, as an SQL column added to a table covers every row.
      changes.push({ repository: repo, kind: 'addField', field: name, step: `m.addField(${q(repo)}, ${q(name)}); // ${col.missing} stored record(s) lack it` });
      if (!logical.fields[name]!.optional) {
        changes.push({ repository: repo, kind: 'addField', field: name, step: `m.backfill(${q(repo)}, { batchSize: 500 }, (row) => (row.${name} == null ? { ${name}: undefined ${backfillTodo(name)} } : undefined));` });
      }
    }
  }
  const dropped: string[] = [];
  for (const column of table.columns.keys()) {
    if (declaredColumns.has(column)) continue;
    if (column.endsWith('_bidx') && table.columns.has(column.slice(0, -5))) continue; // dropped with its field
    const field = camelCase(column);
    dropped.push(field);
    changes.push({ repository: repo, kind: 'dropField', field, step: `m.dropField(${q(repo)}, ${q(field)});` });
  }
  if (dropped.length && added.length) {
    questions.push(`${repo}: ${dropped.join(', ')} ${dropped.length > 1 ? 'are' : 'is'} gone and ${added.join(', ')} ${added.length > 1 ? 'are' : 'is'} new. If a new field is an old one renamed, replace its addField (and backfill) and the dropField with m.renameField(${q(repo)}, ${q(dropped[0]!)}, ${q(added[0]!)}); which keeps the values (and re-encrypts them if the field is encrypted). As written, the old values are deleted.`);
  }
  for (const idx of storage.indexes) {
    // Plain indexes deployed outside (Firestore) are not proposed, but a new blind index's is: its expand phase
    // stores the field (null) on every document, as SQL adds the column, so null tests match the older ones.
    if (!idx.unique && table.indexesListed === 'unique' && !idx.fields.some((f) => rebuilt.has(f))) continue;
    const exists = [...table.indexes].some((n) => n.endsWith(idx.name.slice(repo.length)) || n === idx.name);
    if (exists) continue;
    const fields = idx.fields.map((f) => Object.entries(storage.fields[f]?.annotations ?? {}).map(([, a]) => (a as { blindIndexOf?: string }).blindIndexOf).find(Boolean) ?? f);
    const kind = idx.unique ? 'addUnique' : 'addIndex';
    changes.push({ repository: repo, kind, field: fields.join(','), step: `m.${kind}(${q(repo)}, [${fields.map(q).join(', ')}]);` });
  }
  changes.push(...rebuilds);
}

/**
 * Compare the repositories (as the code declares them, after plugins
 * extended them) with the database, and write the skeleton of a migration
 * that brings the database to them. It never guesses a rename: a field
 * that disappeared and one that appeared in the same repository come out
 * as a drop and an add, with a comment asking the author to choose. Values
 * it cannot know (a backfill's value, a type conversion) are marked TODO.
 * Refused while migrations from `source` are pending: apply them first.
 * Refused too when a field becomes encrypted while its stored values are
 * plaintext, or sealed while rows hold values of it in its own column (no
 * step encrypts or seals in place; the error gives the way to do it). A
 * field that becomes searchable, encrypted or sealed, gets a backfill that
 * builds the blind index of existing rows.
 *
 * @example
 * ```ts
 * const plan = await planMigration(db, { id: '004_plans', dir: './migrations' });
 * console.log(plan.source);
 * ```
 */
export async function planMigration<R extends RepositoryMap>(db: Database<R>, options: { readonly id: string } & Partial<MigrationSource> = { id: 'next' }): Promise<MigrationPlan> {
  const backend = db.driver.migrations;
  if (!backend) throw new MigrationError(`The ${db.driver.name} driver does not support versioned migrations.`, { info: { driver: db.driver.name } });
  await db.driver.connect();
  const source = 'dir' in options && options.dir ? { dir: options.dir } : 'migrations' in options && options.migrations ? { migrations: options.migrations } : undefined;
  if (source) {
    const pending = (await migrationStatus(db, source)).filter((s) => s.state !== 'applied');
    if (pending.length) throw new MigrationError(`Apply the pending migrations before planning the next one: ${pending.map((p) => `${p.id} (${p.state})`).join(', ')}.`, { info: { pending: pending.map((p) => p.id) } });
  }
  const changes: PlannedChange[] = [];
  const questions: string[] = [];
  const repos = Object.values(db as unknown as Record<string, { schema?: RepositorySchema; find?: unknown }>).filter((v) => v && typeof v === 'object' && v.schema && typeof v.find === 'function');
  const tables = await backend.describe([...db.schemas.values()].map((s) => s.table));
  for (const r of repos) {
    const storage = db.schemas.get(r.schema!.name)!;
    const table = tables.get(storage.table);
    if (table) await refuseEncryptingPlaintext(db, storage, r.schema!, table);
    diffRepository(storage, r.schema!, tables.get(storage.table), backend, changes, questions);
  }
  const body = changes.filter((c) => c.step).map((c) => `    ${c.step}`);
  const notes = questions.map((text) => `    // QUESTION: ${text}`);
  const text = [
    "import { defineMigration } from '@chatcore/migrate';",
    '',
    'export default defineMigration({',
    `  id: ${q(options.id)},`,
    '  up(m) {',
    ...notes,
    ...(body.length ? body : ['    // The database matches the repositories: nothing to do.']),
    '  },',
    '});',
    '',
  ].join('\n');
  return { changes, questions, source: text };
}

/**
 * `migrate create NAME`: plan the next migration and write it to
 * `dir/<id>.ts` (or `.mjs`/`.js` with `extension`), where the id is a UTC
 * timestamp and `name`. The skeleton is plain JavaScript, so any of the
 * three runs; pick `mjs` where Node cannot import TypeScript (before 22.18)
 * and the migrations are not compiled. Returns the path and the plan.
 *
 * @example
 * ```ts
 * const { path, plan } = await createMigration(db, { dir: './migrations', name: 'add_plan' });
 * if (plan.questions.length) console.log(`edit ${path}: ${plan.questions.join(' ')}`);
 * ```
 */
export async function createMigration<R extends RepositoryMap>(db: Database<R>, options: { readonly dir: string; readonly name: string; readonly now?: Date; readonly extension?: 'ts' | 'mjs' | 'js' }): Promise<{ path: string; id: string; plan: MigrationPlan }> {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(options.name)) throw new MigrationError(`A migration name is letters, digits, "_" and "-" (got ${JSON.stringify(options.name)}).`, { info: { name: options.name } });
  const extension = options.extension ?? 'ts';
  if (!['ts', 'mjs', 'js'].includes(extension)) throw new MigrationError(`A migration file's extension is ts, mjs or js (got ${JSON.stringify(extension)}).`, { info: { extension } });
  const stamp = (options.now ?? new Date()).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const id = `${stamp}_${options.name}`;
  const plan = await planMigration(db, { id, dir: options.dir });
  const dir = resolve(options.dir);
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${id}.${extension}`);
  await writeFile(path, plan.source, { flag: 'wx' });
  return { path, id, plan };
}
