import type { StoredRow } from '../driver/driver.js';
import type { RowView } from './row-view.js';
import { UniqueIndexes } from './unique-index.js';

/**
 * The committed rows of one table (the root state's), by id, with the hash
 * indexes that unique checks build on first use. Write through `store` and
 * `replaceAll` only, so the indexes stay true.
 *
 * @example
 * ```ts
 * const table = new RootTable();
 * table.store('a', { id: 'a', email: 'a@example.com' });
 * [...table.idsWithKey(['email'], constraintKey({ email: 'a@example.com' }, ['email'])!)]; // ['a']
 * ```
 */
export class RootTable extends Map<string, StoredRow> implements RowView {
  private readonly indexes = new UniqueIndexes();

  idsWithKey(fields: readonly string[], key: string): Iterable<string> {
    return this.indexes.ids(fields, key, () => this.entries());
  }

  /** Insert or replace a row, or remove it with null. */
  store(id: string, row: StoredRow | null): void {
    this.indexes.update(id, this.get(id), row);
    if (row) this.set(id, row);
    else this.delete(id);
  }

  /** Replace every row (migrations); the indexes are built again on next use. */
  replaceAll(rows: Iterable<[string, StoredRow]>): void {
    this.indexes.clear();
    this.clear();
    for (const [id, row] of rows) this.set(id, row);
  }
}
