import type { StoredRow } from '../driver/driver.js';
import { constraintKey } from './unique-check.js';

/** Ids by key; a key held by several rows (a transient clash while a commit replays, or a constraint no longer declared) keeps them all. */
class KeyIndex {
  private readonly one = new Map<string, string>();
  private readonly many = new Map<string, Set<string>>();

  add(key: string, id: string): void {
    const current = this.one.get(key);
    if (current === undefined) {
      const ids = this.many.get(key);
      if (ids) ids.add(id);
      else this.one.set(key, id);
    } else if (current !== id) {
      this.one.delete(key);
      this.many.set(key, new Set([current, id]));
    }
  }

  remove(key: string, id: string): void {
    if (this.one.get(key) === id) {
      this.one.delete(key);
      return;
    }
    const ids = this.many.get(key);
    if (!ids?.delete(id)) return;
    if (ids.size === 1) {
      this.one.set(key, ids.values().next().value as string);
      this.many.delete(key);
    }
  }

  ids(key: string): Iterable<string> {
    const id = this.one.get(key);
    if (id !== undefined) return [id];
    return this.many.get(key) ?? [];
  }
}

/**
 * Hash indexes of a set of rows by the values of unique constraints, so a
 * unique check looks its keys up instead of scanning the table. Each index
 * is built on first use (from `rows`) and kept up to date by `update` from
 * then on; a key never covers a row with a null part (nulls never clash).
 *
 * @example
 * ```ts
 * const indexes = new UniqueIndexes();
 * indexes.ids(['email'], key, () => table); // builds the index once
 * indexes.update(id, oldRow, newRow);       // on every write after that
 * ```
 */
export class UniqueIndexes {
  private readonly byFields = new Map<string, { fields: readonly string[]; index: KeyIndex }>();

  /** The ids of the rows whose key under `fields` is `key`. */
  ids(fields: readonly string[], key: string, rows: () => Iterable<[string, StoredRow]>): Iterable<string> {
    const name = fields.join('\u0000');
    let entry = this.byFields.get(name);
    if (!entry) {
      entry = { fields: [...fields], index: new KeyIndex() };
      for (const [id, row] of rows()) {
        const k = constraintKey(row, fields);
        if (k !== undefined) entry.index.add(k, id);
      }
      this.byFields.set(name, entry);
    }
    return entry.index.ids(key);
  }

  /** Row `id` changes from `old` to `next` (null or undefined: absent). */
  update(id: string, old: StoredRow | null | undefined, next: StoredRow | null | undefined): void {
    for (const { fields, index } of this.byFields.values()) {
      const before = old ? constraintKey(old, fields) : undefined;
      const after = next ? constraintKey(next, fields) : undefined;
      if (before === after) continue;
      if (before !== undefined) index.remove(before, id);
      if (after !== undefined) index.add(after, id);
    }
  }

  /** Forget every index (the rows were replaced wholesale). */
  clear(): void {
    this.byFields.clear();
  }
}
