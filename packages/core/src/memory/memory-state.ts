import { TransactionError, UniqueViolationError } from '../errors.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import type { StoredRow } from '../driver/driver.js';
import { Mutex } from './mutex.js';
import { findUniqueViolation } from './unique-check.js';
import { TableOverlay } from './table-overlay.js';
import { RootTable } from './root-table.js';
import type { RowView } from './row-view.js';

/**
 * The rows of the memory driver: one Map of rows per table at the root
 * (RootTable, with hash indexes for unique checks). A
 * transaction is a child state that keeps, per table it touches, an overlay
 * (TableOverlay) of its own writes on the state below: nothing is copied,
 * so a transaction costs what it touches, not the size of the tables. Its
 * first touch of a table takes a snapshot: from then on the state below
 * hands every row it changes (another flow's autocommit write, a second
 * transaction's commit) to the overlay before changing it, so the
 * transaction keeps seeing the table as it was. Commit replays the writes
 * onto the parent after re-checking unique constraints there; rollback
 * just drops the child.
 *
 * @example
 * ```ts
 * const root = new MemoryState();
 * const tx = root.child();
 * tx.put(schema, row);
 * tx.commit();
 * ```
 */
export class MemoryState {
  /** Serializes the child transactions of this state. */
  readonly lock = new Mutex();
  /** Root: the rows of each table. */
  private readonly tables = new Map<string, RootTable>();
  /** Child: this transaction's overlay on each table it touched, in first-touch order. */
  private readonly overlays = new Map<string, TableOverlay>();
  /** The open children holding a snapshot of a table of this state, by table. */
  private readonly watchers = new Map<string, Set<MemoryState>>();
  private finished: 'committed' | 'rolled back' | undefined;

  constructor(private readonly parent?: MemoryState) {}

  /** A transaction (or savepoint) on top of this state. */
  child(): MemoryState {
    this.assertOpen();
    return new MemoryState(this);
  }

  /** The rows of a table, as this state sees them (a snapshot from a transaction's first touch). */
  table(schema: RepositorySchema): RowView {
    return this.parent ? this.overlay(schema) : this.rootTable(schema.table);
  }

  /** Store a row (insert or replace). */
  put(schema: RepositorySchema, row: StoredRow): void {
    this.write(schema, row.id as string, row);
  }

  /** Remove a row. */
  remove(schema: RepositorySchema, id: string): void {
    this.write(schema, id, null);
  }

  /** Replay this transaction's changes onto the parent; UniqueViolationError (and nothing applied) if they now clash there. */
  commit(): void {
    this.assertOpen();
    const parent = this.parent;
    if (!parent) throw new TransactionError('The root memory state cannot be committed.');
    for (const { schema, writes } of this.overlays.values()) {
      if (writes.size === 0) continue;
      const written = [...writes.values()].filter((r): r is StoredRow => r !== null);
      const fields = findUniqueViolation(schema, parent.table(schema), written, new Set(writes.keys()));
      if (fields) {
        this.finish('rolled back');
        throw new UniqueViolationError(schema.name, fields);
      }
    }
    this.finish('committed');
    for (const { schema, writes } of this.overlays.values()) {
      for (const [id, row] of writes) parent.write(schema, id, row);
    }
  }

  /** Drop this transaction's changes. */
  rollback(): void {
    if (!this.finished) this.finish('rolled back');
  }

  /** The names of the tables that hold or held rows (root state). */
  tableNames(): string[] {
    return [...this.tables.keys()];
  }

  /** Replace a table's rows wholesale, or drop it with `undefined` (root state: migrations). */
  replaceTable(name: string, rows: ReadonlyMap<string, StoredRow> | undefined): void {
    if (this.parent) throw new TransactionError('Tables are replaced on the root memory state only.');
    const old = this.tables.get(name);
    for (const watcher of this.watchers.get(name) ?? []) {
      for (const [id, row] of old ?? []) watcher.preserve(name, id, row);
      for (const id of rows?.keys() ?? []) if (!old?.has(id)) watcher.preserve(name, id, null);
    }
    if (!rows) this.tables.delete(name);
    else this.rootTable(name).replaceAll(rows); // in place: open overlays read through it
  }

  /** Remove every table (tests). */
  clear(): void {
    this.tables.clear();
    this.overlays.clear();
    this.watchers.clear();
  }

  /** Throw if this transaction has ended: a handle used after its transaction would otherwise write nowhere. */
  assertOpen(): void {
    if (this.finished) {
      throw new TransactionError(`This transaction was already ${this.finished}; run queries inside the transaction callback, on its handle.`);
    }
    this.parent?.assertOpen();
  }

  private rootTable(name: string): RootTable {
    let table = this.tables.get(name);
    if (!table) {
      table = new RootTable();
      this.tables.set(name, table);
    }
    return table;
  }

  /** This child's overlay on a table; the first touch takes the snapshot (and so does every state between it and the root). */
  private overlay(schema: RepositorySchema): TableOverlay {
    let overlay = this.overlays.get(schema.table);
    if (!overlay) {
      const parent = this.parent!;
      overlay = new TableOverlay(schema, parent.table(schema));
      this.overlays.set(schema.table, overlay);
      let watchers = parent.watchers.get(schema.table);
      if (!watchers) {
        watchers = new Set();
        parent.watchers.set(schema.table, watchers);
      }
      watchers.add(this);
    }
    return overlay;
  }

  private write(schema: RepositorySchema, id: string, row: StoredRow | null): void {
    const watchers = this.watchers.get(schema.table);
    if (watchers) {
      const old = this.table(schema).get(id) ?? null;
      for (const watcher of watchers) watcher.preserve(schema.table, id, old);
    }
    if (this.parent) this.overlay(schema).write(id, row);
    else this.rootTable(schema.table).store(id, row);
  }

  /** The row `id` of `table` in the parent is about to change from `old`: keep it in this snapshot. */
  private preserve(table: string, id: string, old: StoredRow | null): void {
    this.overlays.get(table)?.preserve(id, old);
  }

  /** End this transaction and stop watching the parent's tables. */
  private finish(outcome: 'committed' | 'rolled back'): void {
    this.finished = outcome;
    const parent = this.parent!;
    for (const name of this.overlays.keys()) {
      const watchers = parent.watchers.get(name);
      watchers?.delete(this);
      if (watchers?.size === 0) parent.watchers.delete(name);
    }
  }
}
