import { TransactionError, UniqueViolationError } from '../errors.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import type { StoredRow } from '../driver/driver.js';
import { Mutex } from './mutex.js';
import { findUniqueViolation } from './unique-check.js';

type Table = Map<string, StoredRow>;

/**
 * The rows of the memory driver: one Map of rows per table. A transaction
 * is a child state that copies a table on first touch (copy-on-write; rows
 * are immutable, every write stores a new object) and records what it
 * changed; commit replays the changes onto the parent after re-checking
 * unique constraints there, rollback just drops the child.
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
  private readonly tables = new Map<string, Table>();
  private readonly changes = new Map<string, { schema: RepositorySchema; rows: Map<string, StoredRow | null> }>();
  private finished: 'committed' | 'rolled back' | undefined;

  constructor(private readonly parent?: MemoryState) {}

  /** A transaction (or savepoint) on top of this state. */
  child(): MemoryState {
    this.assertOpen();
    return new MemoryState(this);
  }

  /** The rows of a table, as this state sees them. Do not modify the Map. */
  table(schema: RepositorySchema): ReadonlyMap<string, StoredRow> {
    return this.ownTable(schema.table);
  }

  /** Store a row (insert or replace). */
  put(schema: RepositorySchema, row: StoredRow): void {
    this.ownTable(schema.table).set(row.id as string, row);
    this.record(schema, row.id as string, row);
  }

  /** Remove a row. */
  remove(schema: RepositorySchema, id: string): void {
    this.ownTable(schema.table).delete(id);
    this.record(schema, id, null);
  }

  /** Replay this transaction's changes onto the parent; UniqueViolationError (and nothing applied) if they now clash there. */
  commit(): void {
    this.assertOpen();
    const parent = this.parent;
    if (!parent) throw new TransactionError('The root memory state cannot be committed.');
    for (const { schema, rows } of this.changes.values()) {
      const written = [...rows.values()].filter((r): r is StoredRow => r !== null);
      const fields = findUniqueViolation(schema, parent.table(schema), written, new Set(rows.keys()));
      if (fields) {
        this.finished = 'rolled back';
        throw new UniqueViolationError(schema.name, fields);
      }
    }
    for (const { schema, rows } of this.changes.values()) {
      for (const [id, row] of rows) {
        if (row) parent.put(schema, row);
        else parent.remove(schema, id);
      }
    }
    this.finished = 'committed';
  }

  /** Drop this transaction's changes. */
  rollback(): void {
    if (!this.finished) this.finished = 'rolled back';
  }

  /** The names of the tables that hold or held rows (root state). */
  tableNames(): string[] {
    return [...this.tables.keys()];
  }

  /** Replace a table's rows wholesale, or drop it with `undefined` (root state: migrations). */
  replaceTable(name: string, rows: ReadonlyMap<string, StoredRow> | undefined): void {
    if (this.parent) throw new TransactionError('Tables are replaced on the root memory state only.');
    if (rows) this.tables.set(name, new Map(rows));
    else this.tables.delete(name);
  }

  /** Remove every table (tests). */
  clear(): void {
    this.tables.clear();
    this.changes.clear();
  }

  /** Throw if this transaction has ended: a handle used after its transaction would otherwise write nowhere. */
  assertOpen(): void {
    if (this.finished) {
      throw new TransactionError(`This transaction was already ${this.finished}; run queries inside the transaction callback, on its handle.`);
    }
    this.parent?.assertOpen();
  }

  private ownTable(name: string): Table {
    let table = this.tables.get(name);
    if (!table) {
      table = this.parent ? new Map(this.parent.ownTable(name)) : new Map();
      this.tables.set(name, table);
    }
    return table;
  }

  private record(schema: RepositorySchema, id: string, row: StoredRow | null): void {
    if (!this.parent) return;
    let entry = this.changes.get(schema.table);
    if (!entry) {
      entry = { schema, rows: new Map() };
      this.changes.set(schema.table, entry);
    }
    entry.rows.set(id, row);
  }
}
