import type { Condition, OrderTerm, StoredRow } from '@chatcore/core';

/**
 * Compare two strings the way Firestore does (by Unicode code point, which
 * is UTF-8 byte order), not by UTF-16 code unit as `<` does.
 *
 * @example
 * ```ts
 * compareStrings('\uffff', '\u{10000}'); // -1 (JavaScript's < says otherwise)
 * ```
 */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates stand for code points above every BMP unit: move them past U+FFFF.
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * Compare two stored values of one field in Firestore's order; null first.
 *
 * @example
 * ```ts
 * compareValues(null, 3); // -1
 * ```
 */
export function compareValues(a: unknown, b: unknown): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (a instanceof Date && b instanceof Date) return Math.sign(a.getTime() - b.getTime());
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) return a < b ? -1 : a > b ? 1 : 0;
  return 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length;
}

/**
 * A comparator of rows for an orderBy (nulls first ascending, last descending).
 *
 * @example
 * ```ts
 * rows.sort(rowComparator([{ field: 'createdAt', direction: 'desc' }, { field: 'id', direction: 'desc' }]));
 * ```
 */
export function rowComparator(orderBy: readonly OrderTerm[]): (a: StoredRow, b: StoredRow) => number {
  return (a, b) => {
    for (const t of orderBy) {
      const c = compareValues(a[t.field], b[t.field]);
      if (c !== 0) return t.direction === 'asc' ? c : -c;
    }
    return 0;
  };
}

/**
 * Whether `row` is strictly after the cursor position `after` in `orderBy`.
 *
 * @example
 * ```ts
 * rows.filter((r) => isAfter(r, orderBy, query.after!));
 * ```
 */
export function isAfter(row: StoredRow, orderBy: readonly OrderTerm[], after: readonly unknown[]): boolean {
  for (let i = 0; i < orderBy.length; i++) {
    const t = orderBy[i]!;
    const c = compareValues(row[t.field], after[i]);
    if (c !== 0) return t.direction === 'asc' ? c > 0 : c < 0;
  }
  return false;
}

/**
 * Evaluate a normalized condition on a row with Firestore's semantics: only
 * `isNull` matches a null value.
 *
 * @example
 * ```ts
 * matches({ kind: 'cmp', field: 'version', op: 'eq', value: 3 }, row);
 * ```
 */
export function matches(c: Condition | undefined, row: StoredRow): boolean {
  if (!c) return true;
  switch (c.kind) {
    case 'and': return c.conditions.every((x) => matches(x, row));
    case 'or': return c.conditions.some((x) => matches(x, row));
    case 'isNull': return (row[c.field] === null || row[c.field] === undefined) === c.isNull;
  }
  const v = row[c.field];
  if (v === null || v === undefined) return false;
  switch (c.kind) {
    case 'cmp': {
      const r = compareValues(v, c.value);
      switch (c.op) {
        case 'eq': return r === 0;
        case 'ne': return r !== 0;
        case 'gt': return r > 0;
        case 'gte': return r >= 0;
        case 'lt': return r < 0;
        case 'lte': return r <= 0;
      }
      return false;
    }
    case 'in': return c.values.some((x) => compareValues(v, x) === 0) !== c.negate;
    case 'startsWith': return (typeof v === 'string' && v.startsWith(c.prefix)) !== c.negate;
  }
}
