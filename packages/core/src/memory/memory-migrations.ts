import { MigrationError, SchemaDriftError } from '../errors.js';
import type { StoredRow } from '../driver/driver.js';
import type { MigrationBackend, MigrationRecord, ProgressRecord, SchemaChange, StoredTable } from '../driver/migration-backend.js';
import type { FieldMeta } from '../schema/field-meta.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import type { MemoryState } from './memory-state.js';
import { Mutex } from './mutex.js';

type Tables = Map<string, Map<string, StoredRow>>;

function edit(tables: Tables, table: string, fn: (row: StoredRow) => StoredRow): void {
  const rows = tables.get(table);
  if (!rows) return;
  const out = new Map<string, StoredRow>();
  for (const [id, row] of rows) out.set(id, fn(row));
  tables.set(table, out);
}

function apply(tables: Tables, change: SchemaChange): string {
  switch (change.kind) {
    case 'renameField':
      edit(tables, change.table, (row) => {
        const { [change.from.name]: value, ...rest } = row;
        return Object.hasOwn(row, change.from.name) ? { ...rest, [change.to.name]: value } : row;
      });
      return `rename ${change.table}.${change.from.name} to ${change.to.name}`;
    case 'dropField':
      edit(tables, change.table, (row) => {
        const { [change.field.name]: _dropped, ...rest } = row;
        return rest;
      });
      return `drop ${change.table}.${change.field.name}`;
    case 'setRequired': {
      if (change.required) {
        for (const row of tables.get(change.table)?.values() ?? []) {
          if (row[change.field.name] === null || row[change.field.name] === undefined) {
            throw new MigrationError(`Cannot require ${change.table}.${change.field.name}: record ${String(row.id)} has no value. Fill it with a backfill first.`, { info: { table: change.table, field: change.field.name, id: row.id } });
          }
        }
      }
      return `${change.required ? 'require' : 'allow null in'} ${change.table}.${change.field.name}`;
    }
    case 'dropIndex':
      return `drop index ${change.index}`; // uniqueness is checked from the schemas: nothing is stored
    case 'renameRepository': {
      const rows = tables.get(change.from.table);
      tables.delete(change.from.table);
      if (rows) tables.set(change.to.table, rows);
      return `rename ${change.from.table} to ${change.to.table}`;
    }
  }
}

/**
 * Migrations on the memory driver: rows are plain objects keyed by field
 * name, so a rename moves a key and a drop deletes it. Changes are applied
 * to copies of the tables and swapped in only when all succeeded, the lock
 * is a process-local queue, and the history lives as long as the driver.
 *
 * @example
 * ```ts
 * const driver = memoryDriver();
 * await driver.migrations.withLock(async () => driver.migrations.history());
 * ```
 */
export class MemoryMigrationBackend implements MigrationBackend {
  private readonly mutex = new Mutex();
  private readonly records = new Map<string, { checksum: string; startedAt: Date; finishedAt?: Date; progress: Readonly<Record<string, unknown>> }>();

  constructor(private readonly state: MemoryState) {}

  withLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.mutex.run(fn);
  }

  async history(): Promise<MigrationRecord[]> {
    return [...this.records].map(([id, r]) => ({ id, ...r }));
  }

  async start(id: string, checksum: string): Promise<void> {
    const r = this.records.get(id);
    if (!r) this.records.set(id, { checksum, startedAt: new Date(), progress: {} });
    else if (!r.finishedAt) r.checksum = checksum;
  }

  async saveProgress(id: string, progress: Readonly<Record<string, unknown>>): Promise<void> {
    const r = this.records.get(id);
    if (r) r.progress = structuredClone(progress);
  }

  async finish(id: string): Promise<void> {
    const r = this.records.get(id);
    if (r) r.finishedAt = new Date();
  }

  async applySchemaChanges(changes: readonly SchemaChange[], ensure: readonly RepositorySchema[], record?: ProgressRecord): Promise<string[]> {
    const names = new Set<string>(this.state.tableNames());
    const tables: Tables = new Map();
    for (const name of names) tables.set(name, new Map(this.state.table({ table: name } as RepositorySchema)));
    const done = changes.map((c) => apply(tables, c));
    for (const schema of ensure) {
      const rows = tables.get(schema.table);
      if (!rows || rows.size === 0) continue;
      for (const [name, meta] of Object.entries(schema.fields)) {
        const missing = [...rows.values()].some((r) => !Object.hasOwn(r, name));
        if (!missing) continue;
        if (!meta.optional) throw new SchemaDriftError([`${schema.table}.${name} is declared required but the table has rows without it: make the field optional or add it with values first`]);
        edit(tables, schema.table, (row) => (Object.hasOwn(row, name) ? row : { ...row, [name]: null }));
        done.push(`add ${schema.table}.${name}`);
      }
    }
    for (const name of new Set([...names, ...tables.keys()])) this.state.replaceTable(name, tables.get(name));
    if (record) await this.saveProgress(record.id, record.progress);
    return done;
  }

  async describe(tables: readonly string[]): Promise<Map<string, StoredTable>> {
    const out = new Map<string, StoredTable>();
    const known = new Set(this.state.tableNames());
    for (const table of tables) {
      if (!known.has(table)) continue;
      const columns = new Map<string, { type: string; nullable: boolean }>();
      for (const row of this.state.table({ table } as RepositorySchema).values()) {
        for (const [k, v] of Object.entries(row)) {
          const prev = columns.get(k);
          columns.set(k, { type: prev?.type ?? (v === null ? 'null' : typeof v), nullable: (prev?.nullable ?? false) || v === null });
        }
      }
      out.set(table, { table, columns, indexes: new Set() });
    }
    return out;
  }

  holds(_meta: FieldMeta, _storedType: string): boolean {
    return true; // JS values: nothing to convert by type
  }
}
