import type { RepositorySchema } from '../schema/repository-schema.js';
import type { StoredRow } from '../driver/driver.js';
import type { RowView } from './row-view.js';
import { UniqueIndexes } from './unique-index.js';

/**
 * A transaction's view of one table: the rows it wrote (null: deleted)
 * over the rows below it (the parent state's view), frozen at the
 * transaction's first touch of the table. The state below does not copy
 * anything for that: before it changes a row, it hands the row's old value
 * to `preserve`, so the overlay keeps what its snapshot saw. Reads and
 * writes cost O(rows touched), never O(table size); only iteration visits
 * the table below.
 *
 * Iteration order: the rows below in their order (with this transaction's
 * version where it wrote one), then rows deleted below since the snapshot,
 * then rows this transaction added.
 *
 * @example
 * ```ts
 * const overlay = new TableOverlay(schema, rootMap);
 * overlay.write('a', { id: 'a', n: 1 });
 * overlay.get('a'); // { id: 'a', n: 1 }; rootMap is unchanged
 * ```
 */
export class TableOverlay implements RowView {
  /** This transaction's writes by id (null: deleted), in first-write order: what commit replays. */
  readonly writes = new Map<string, StoredRow | null>();
  /** Rows changed below since the snapshot, as the snapshot saw them (null: absent then). */
  private readonly before = new Map<string, StoredRow | null>();
  /** Unique-key indexes of the rows this overlay decides (written or kept), built on first use. */
  private own: UniqueIndexes | undefined;

  constructor(
    readonly schema: RepositorySchema,
    private readonly below: RowView,
  ) {}

  get(id: string): StoredRow | undefined {
    const written = this.writes.get(id);
    if (written !== undefined) return written ?? undefined;
    const kept = this.before.get(id);
    if (kept !== undefined) return kept ?? undefined;
    return this.below.get(id);
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  /** Store this transaction's version of a row (null: deleted). */
  write(id: string, row: StoredRow | null): void {
    this.own?.update(id, this.decides(id) ? this.get(id) : undefined, row);
    this.writes.set(id, row);
  }

  /** The row `id` below is about to change from `old` (null: absent): keep it, unless already kept or overwritten here. */
  preserve(id: string, old: StoredRow | null): void {
    if (this.decides(id)) return;
    this.before.set(id, old);
    this.own?.update(id, undefined, old);
  }

  *idsWithKey(fields: readonly string[], key: string): Iterable<string> {
    for (const id of this.below.idsWithKey(fields, key)) if (!this.decides(id)) yield id;
    this.own ??= new UniqueIndexes();
    yield* this.own.ids(fields, key, () => this.decided());
  }

  /** Whether this overlay, not the state below, holds the row `id` (written here, or kept from the snapshot). */
  private decides(id: string): boolean {
    return this.writes.has(id) || this.before.has(id);
  }

  /** The rows this overlay decides that exist. */
  private *decided(): IterableIterator<[string, StoredRow]> {
    for (const [id, row] of this.writes) if (row) yield [id, row];
    for (const [id, row] of this.before) if (row && !this.writes.has(id)) yield [id, row];
  }

  /** The visible rows with their ids; the table below's own iterator while nothing here differs from it. */
  entries(): Iterator<[string, StoredRow]> & Iterable<[string, StoredRow]> {
    if (this.writes.size === 0 && this.before.size === 0) return this.below[Symbol.iterator]() as Iterator<[string, StoredRow]> & Iterable<[string, StoredRow]>;
    const out: Array<[string, StoredRow]> = [];
    this.visit((id, row) => out.push([id, row]));
    return out[Symbol.iterator]();
  }

  /** The visible rows; the table below's own iterator while nothing here differs from it. */
  values(): Iterable<StoredRow> {
    if (this.writes.size === 0 && this.before.size === 0) return this.below.values();
    const out: StoredRow[] = [];
    this.visit((_, row) => out.push(row));
    return out;
  }

  /** Every visible row, in this class's iteration order. Arrays, not generators: a query visits every row. */
  private visit(fn: (id: string, row: StoredRow) => void): void {
    const { writes, before, below } = this;
    for (const [id, belowRow] of below) {
      const row = writes.has(id) ? writes.get(id) : before.has(id) ? before.get(id) : belowRow;
      if (row) fn(id, row);
    }
    for (const [id, row] of before) if (row && !writes.has(id) && !below.has(id)) fn(id, row);
    for (const [id, row] of writes) if (row && !below.has(id)) fn(id, row);
  }

  [Symbol.iterator](): Iterator<[string, StoredRow]> {
    return this.entries();
  }
}
