import type { RepositorySchema } from '../schema/repository-schema.js';
import type { StoredRow } from '../driver/driver.js';
import type { RowView } from './row-view.js';

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
    this.writes.set(id, row);
  }

  /** The row `id` below is about to change from `old` (null: absent): keep it, unless already kept or overwritten here. */
  preserve(id: string, old: StoredRow | null): void {
    if (!this.writes.has(id) && !this.before.has(id)) this.before.set(id, old);
  }

  *entries(): IterableIterator<[string, StoredRow]> {
    const { writes, before, below } = this;
    if (writes.size === 0 && before.size === 0) {
      yield* below;
      return;
    }
    for (const entry of below) {
      const id = entry[0];
      const row = writes.has(id) ? writes.get(id) : before.has(id) ? before.get(id) : entry[1];
      if (row) yield row === entry[1] ? entry : [id, row];
    }
    for (const [id, row] of before) if (row && !writes.has(id) && !below.has(id)) yield [id, row];
    for (const [id, row] of writes) if (row && !below.has(id)) yield [id, row];
  }

  *values(): IterableIterator<StoredRow> {
    for (const entry of this.entries()) yield entry[1];
  }

  [Symbol.iterator](): IterableIterator<[string, StoredRow]> {
    return this.entries();
  }
}
