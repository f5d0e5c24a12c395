import type { FieldMeta } from '../schema/field-meta.js';
import type { RepositorySchema } from '../schema/repository-schema.js';

/**
 * One storage field as a schema change names it: the field name and its
 * metadata (the SQL drivers use `meta.column`, Firestore the name).
 *
 * @example
 * ```ts
 * const old: StoredField = { name: 'title', meta: { ...conversations.schema.fields.title!, column: 'title' } };
 * ```
 */
export interface StoredField {
  readonly name: string;
  readonly meta: FieldMeta;
}

/**
 * A change that `ensureSchema` never makes by itself (it only adds): the
 * non-additive part of a migration, in storage terms. Additions (new
 * fields, indexes, tables) are not listed: the backend reconciles them from
 * the storage schemas passed next to the changes.
 *
 * @example
 * ```ts
 * const subject: StoredField = { name: 'subject', meta: { ...conversations.schema.fields.title!, column: 'subject' } };
 * const title: StoredField = { name: 'title', meta: { ...subject.meta, column: 'title' } };
 * const changes: SchemaChange[] = [{ kind: 'renameField', table: 'conversations', from: title, to: subject }];
 * await db.driver.migrations?.applySchemaChanges(changes, [...db.schemas.values()]);
 * ```
 */
export type SchemaChange =
  | { readonly kind: 'renameField'; readonly table: string; readonly from: StoredField; readonly to: StoredField }
  | { readonly kind: 'dropField'; readonly table: string; readonly field: StoredField }
  /** Require a value (every stored row must have one) or stop requiring it. */
  | { readonly kind: 'setRequired'; readonly table: string; readonly field: StoredField; readonly required: boolean }
  /** Drop an index or unique key that `schema` declares (the schema before the change). */
  | { readonly kind: 'dropIndex'; readonly schema: RepositorySchema; readonly index: string }
  /** Rename a table (and, on SQL, its indexes and primary key) from `from` to `to`. */
  | { readonly kind: 'renameRepository'; readonly from: RepositorySchema; readonly to: RepositorySchema };

/**
 * One row of the migration history.
 *
 * @example
 * ```ts
 * const applied = (await driver.migrations!.history()).filter((r: MigrationRecord) => r.finishedAt);
 * ```
 */
export interface MigrationRecord {
  readonly id: string;
  readonly checksum: string;
  readonly startedAt: Date;
  /** Unset while the migration is under way (or was interrupted). */
  readonly finishedAt?: Date | undefined;
  /** Where a resumable migration stands (which phase, the last id of each data step). */
  readonly progress: Readonly<Record<string, unknown>>;
}

/**
 * What versioned migrations need from a backend: a lock that one process
 * holds at a time, the history, and non-additive schema changes applied all
 * or nothing. Data steps need nothing here: they go through the
 * repositories. A driver offers it as `driver.migrations`.
 *
 * @example
 * ```ts
 * const backend = db.driver.migrations;
 * if (!backend) throw new Error(`${db.driver.name} does not support migrations`);
 * await backend.withLock(async () => console.log(await backend.history()));
 * ```
 */
export interface MigrationBackend {
  /**
   * Run `fn` while holding the migration lock (a PostgreSQL advisory lock,
   * a lease document on Firestore); waits while another process holds it.
   * The lock is released when `fn` settles or the process dies.
   */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Connections left for a data step's batch transactions while `withLock`
   * holds the lock (PostgreSQL: the pool's size less the one the advisory
   * lock holds); undefined where the backend does not bound them. `migrate`
   * runs at most this many batch transactions at once.
   */
  readonly batchConnections?: number | undefined;
  /** Every recorded migration, oldest first (none when the history store does not exist yet; reading never creates it). */
  history(): Promise<MigrationRecord[]>;
  /**
   * Record that a migration started; creates the history store on first
   * use. An unfinished record takes the new checksum (migrate passes a new
   * one only for a migration of which nothing was applied, or whose edited
   * steps had not run yet); a finished record is left as it is.
   */
  start(id: string, checksum: string): Promise<void>;
  /**
   * True when a failed `applySchemaChanges` keeps nothing, progress
   * included (one transaction): an unfinished record without progress then
   * means nothing of the migration was applied, and it counts as pending.
   */
  readonly atomicSchemaChanges?: boolean;
  /** Replace the progress of a started migration. */
  saveProgress(id: string, progress: Readonly<Record<string, unknown>>): Promise<void>;
  /** Record that a migration finished. */
  finish(id: string): Promise<void>;
  /**
   * Apply `changes` in order, then create whatever `ensure` declares and the
   * database lacks (as `ensureSchema` in apply mode; `ensure` may name only
   * some fields of a table, the others are left alone; a field `derivedFrom`
   * another is added even where rows exist: the migration backfills it), and save `record`'s
   * progress, all in one transaction where the backend has them: on failure
   * nothing changed. Returns a description of each statement run.
   */
  applySchemaChanges(changes: readonly SchemaChange[], ensure: readonly RepositorySchema[], record?: ProgressRecord): Promise<string[]>;
  /** What these tables hold now (columns on SQL, fields seen in documents on Firestore); missing tables are absent. */
  describe(tables: readonly string[]): Promise<Map<string, StoredTable>>;
  /** Whether a stored type from `describe` holds the values of a field declared with `meta` (no changeType needed). */
  holds(meta: FieldMeta, storedType: string): boolean;
}

/**
 * Progress to save with a schema change, in the same transaction.
 *
 * @example
 * ```ts
 * const record: ProgressRecord = { id: '002_contact', progress: { phase: 'data' } };
 * await db.driver.migrations?.applySchemaChanges([], [...db.schemas.values()], record);
 * ```
 */
export interface ProgressRecord {
  readonly id: string;
  readonly progress: Readonly<Record<string, unknown>>;
}

/**
 * A table as the database holds it, for planning migrations.
 *
 * @example
 * ```ts
 * const tables = await driver.migrations!.describe(['users']);
 * tables.get('users')?.columns.get('email')?.type; // 'text'
 * ```
 */
export interface StoredTable {
  readonly table: string;
  /**
   * By column (SQL) or field (Firestore) name. `missing`: how many stored
   * records lack the field altogether (Firestore documents written before
   * it was declared; a null test or an order by it leaves them out); absent
   * where every record has every column (SQL).
   */
  readonly columns: ReadonlyMap<string, { readonly type: string; readonly nullable: boolean; readonly missing?: number | undefined }>;
  /** Index names as the backend knows them. */
  readonly indexes: ReadonlySet<string>;
  /**
   * `unique`: only unique keys are listed, plain indexes are deployed
   * outside the database (Firestore's composite indexes), so a plan does not
   * propose them. Unset: every index is listed.
   */
  readonly indexesListed?: 'unique' | undefined;
}
