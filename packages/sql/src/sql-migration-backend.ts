import { isCompatibleUdt, sqlTypeOf, udtNameOf } from './column-types.js';
import type { FieldMeta, MigrationBackend, MigrationRecord, ProgressRecord, RepositorySchema, SchemaChange, StoredTable } from '@chatcore/core/driver';
import { MigrationError, SchemaDriftError } from '@chatcore/core';
import type { SqlConnection, SqlExecutor } from './sql-executor.js';
import { applyAdditive, SCHEMA_LOCK_KEY } from './schema-manager.js';
import { changeStatements, renameIndexStatements } from './schema-changes.js';
import { planOf } from './schema-plan.js';
import { existingForeignKeys, renameForeignKeyStatements } from './foreign-keys.js';
import { mapSqlError } from './sql-errors.js';

/**
 * The advisory lock `migrate` holds while it applies migrations ("migr" in
 * ASCII); distinct from SCHEMA_LOCK_KEY, which each schema transaction takes.
 *
 * @example
 * ```ts
 * await conn.execute({ sql: 'select pg_try_advisory_lock($1) as locked', parameters: [MIGRATION_LOCK_KEY] });
 * ```
 */
export const MIGRATION_LOCK_KEY = 1835624306;

/** The history table. */
const HISTORY = 'chatcore_migrations';
const POLL_MS = 200;

async function inTransaction<T>(conn: SqlConnection, fn: () => Promise<T>): Promise<T> {
  await conn.execute({ sql: 'begin', parameters: [] });
  try {
    const out = await fn();
    await conn.execute({ sql: 'commit', parameters: [] });
    return out;
  } catch (err) {
    await conn.execute({ sql: 'rollback', parameters: [] }).catch(() => conn.markBroken?.());
    throw err;
  }
}

/**
 * Migrations on PostgreSQL and PGlite: a session advisory lock held on a
 * reserved connection (PGlite has one connection and one process, so a
 * process-local queue stands in), the `chatcore_migrations` history table,
 * and schema changes plus the additive reconciliation in one transaction,
 * so a failing statement leaves the schema as it was.
 *
 * @example
 * ```ts
 * const backend = new SqlMigrationBackend(executor); // driver.migrations is one
 * await backend.withLock(async () => console.log(await backend.history()));
 * ```
 */
export class SqlMigrationBackend implements MigrationBackend {
  /** Schema changes and their progress commit in one transaction. */
  readonly atomicSchemaChanges = true;
  private ready: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly executor: SqlExecutor) {}

  /** The pool's size less the connection the advisory lock holds; undefined for one connection run in turn (PGlite) or an unbounded client. */
  get batchConnections(): number | undefined {
    if (this.executor.singleConnection || this.executor.maxConnections === undefined) return undefined;
    return this.executor.maxConnections - 1;
  }

  withLock<T>(fn: () => Promise<T>): Promise<T> {
    if (this.executor.singleConnection) {
      const run = this.queue.then(fn, fn);
      this.queue = run.catch(() => undefined);
      return run;
    }
    return this.executor.withConnection(async (conn) => {
      // Polled with try-lock rather than a blocking pg_advisory_lock, which a statement_timeout would cut short.
      while ((await conn.execute({ sql: 'select pg_try_advisory_lock($1) as locked', parameters: [MIGRATION_LOCK_KEY] })).rows[0]?.locked !== true) {
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      try {
        return await fn();
      } finally {
        await conn.execute({ sql: 'select pg_advisory_unlock($1)', parameters: [MIGRATION_LOCK_KEY] }).catch(() => conn.markBroken?.());
      }
    });
  }

  async history(): Promise<MigrationRecord[]> {
    // Reading creates nothing (verify mode runs no DDL): no table, no history.
    const exists = await this.run(`select to_regclass('${HISTORY}') is not null as present`, []);
    if (exists.rows[0]?.present !== true) return [];
    const { rows } = await this.run(`select id, checksum, started_at, finished_at, progress from ${HISTORY} order by started_at, id`, []);
    return rows.map((r) => ({
      id: String(r.id),
      checksum: String(r.checksum),
      startedAt: new Date(r.started_at as Date),
      finishedAt: r.finished_at ? new Date(r.finished_at as Date) : undefined,
      progress: (typeof r.progress === 'string' ? JSON.parse(r.progress) : r.progress) as Record<string, unknown>,
    }));
  }

  async start(id: string, checksum: string): Promise<void> {
    await this.ensureTable();
    await this.run(
      `insert into ${HISTORY} (id, checksum) values ($1, $2) on conflict (id) do update set checksum = excluded.checksum
        where ${HISTORY}.finished_at is null`,
      [id, checksum],
    );
  }

  async saveProgress(id: string, progress: Readonly<Record<string, unknown>>): Promise<void> {
    await this.run(`update ${HISTORY} set progress = $2::jsonb where id = $1`, [id, JSON.stringify(progress)]);
  }

  async finish(id: string): Promise<void> {
    await this.run(`update ${HISTORY} set finished_at = now() where id = $1`, [id]);
  }

  async applySchemaChanges(changes: readonly SchemaChange[], ensure: readonly RepositorySchema[], record?: ProgressRecord): Promise<string[]> {
    try {
      return await this.executor.withConnection((conn) => inTransaction(conn, async () => {
        await conn.execute({ sql: `select pg_advisory_xact_lock(${SCHEMA_LOCK_KEY})`, parameters: [] });
        const done: string[] = [];
        for (const change of changes) {
          for (const st of changeStatements(change)) {
            try {
              await conn.execute({ sql: st.sql, parameters: [] });
            } catch (err) {
              throw new MigrationError(`Could not ${st.description}: ${mapSqlError(err).message} Nothing of this step's transaction was kept.`, { cause: mapSqlError(err), info: { statement: st.description } });
            }
            done.push(st.description);
          }
          if (change.kind === 'renameRepository') {
            const to = planOf(change.to).table;
            const { rows } = await conn.execute({ sql: 'select indexname from pg_indexes where schemaname = current_schema() and tablename = $1', parameters: [to] });
            for (const st of renameIndexStatements(planOf(change.from).table, to, rows.map((r) => String(r.indexname)))) {
              await conn.execute({ sql: st.sql, parameters: [] });
              done.push(st.description);
            }
          }
          for (const st of await this.foreignKeyRenames(conn, change)) {
            await conn.execute({ sql: st.sql, parameters: [] });
            done.push(st.description);
          }
        }
        done.push(...(await applyAdditive(conn, ensure, { partial: true, backfilled: true })));
        if (record) await conn.execute({ sql: `update ${HISTORY} set progress = $2::jsonb where id = $1`, parameters: [record.id, JSON.stringify(record.progress)] });
        return done;
      }));
    } catch (err) {
      if (err instanceof MigrationError || err instanceof SchemaDriftError) throw err;
      throw mapSqlError(err);
    }
  }

  /** Foreign keys named after a table or column this change renamed get the new name. */
  private async foreignKeyRenames(conn: SqlConnection, change: SchemaChange): Promise<Array<{ sql: string; description: string }>> {
    if (change.kind === 'renameRepository') {
      const from = planOf(change.from).table;
      const to = planOf(change.to).table;
      if (from === to) return [];
      const existing = [...(await existingForeignKeys(conn, [to])).keys()];
      return renameForeignKeyStatements(to, existing, (n) => (n.startsWith(`${from}_`) ? `${to}_${n.slice(from.length + 1)}` : undefined));
    }
    if (change.kind === 'renameField') {
      const from = change.from.meta.column ?? change.from.name;
      const to = change.to.meta.column ?? change.to.name;
      if (from === to) return [];
      const existing = [...(await existingForeignKeys(conn, [change.table])).keys()];
      return renameForeignKeyStatements(change.table, existing, (n) => (n === `${change.table}_${from}_fkey` ? `${change.table}_${to}_fkey` : undefined));
    }
    return [];
  }

  async describe(tables: readonly string[]): Promise<Map<string, StoredTable>> {
    const cols = await this.run(
      `select table_name, column_name, udt_name, is_nullable from information_schema.columns
        where table_schema = current_schema() and table_name = any($1::text[]) order by ordinal_position`,
      [tables],
    );
    const idx = await this.run('select tablename, indexname from pg_indexes where schemaname = current_schema() and tablename = any($1::text[])', [tables]);
    const out = new Map<string, { table: string; columns: Map<string, { type: string; nullable: boolean }>; indexes: Set<string> }>();
    for (const r of cols.rows) {
      const t = String(r.table_name);
      if (!out.has(t)) out.set(t, { table: t, columns: new Map(), indexes: new Set() });
      out.get(t)!.columns.set(String(r.column_name), { type: String(r.udt_name), nullable: r.is_nullable === 'YES' });
    }
    for (const r of idx.rows) out.get(String(r.tablename))?.indexes.add(String(r.indexname));
    return out;
  }

  holds(meta: FieldMeta, storedType: string): boolean {
    return isCompatibleUdt(udtNameOf(sqlTypeOf(meta)), storedType);
  }

  private async run(sql: string, parameters: readonly unknown[]) {
    try {
      return await this.executor.execute({ sql, parameters });
    } catch (err) {
      throw mapSqlError(err);
    }
  }

  private ensureTable(): Promise<void> {
    this.ready ??= this.executor.withConnection((conn) => inTransaction(conn, async () => {
      // Under the schema lock: two processes creating the table at once would otherwise collide in the catalog.
      await conn.execute({ sql: `select pg_advisory_xact_lock(${SCHEMA_LOCK_KEY})`, parameters: [] });
      await conn.execute({
        sql: `create table if not exists ${HISTORY} (id text collate "C" primary key, checksum text not null,
                started_at timestamptz not null default clock_timestamp(), finished_at timestamptz, progress jsonb not null default '{}'::jsonb)`,
        parameters: [],
      });
    })).catch((err) => {
      this.ready = undefined;
      throw mapSqlError(err);
    });
    return this.ready;
  }
}
