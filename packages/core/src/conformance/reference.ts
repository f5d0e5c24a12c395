/**
 * The expected semantics, written in plain JavaScript and independent of
 * every driver (the memory driver included): value equality, the sort order
 * of DESIGN 7a, and keyset positions. Strings compare by Unicode code point
 * (their UTF-8 bytes), as PostgreSQL's "C" collation and Firestore do, not by
 * UTF-16 code unit as `<` does: the test data mixes astral characters with
 * characters above U+E000, where the two orders differ.
 */

/**
 * A record as the repository returns it.
 *
 * @example
 * ```ts
 * const r: Rec = { id: 'a', rank: null };
 * ```
 */
export type Rec = Record<string, unknown>;

/**
 * A sort order: fields and directions, most significant first.
 *
 * @example
 * ```ts
 * const spec: SortSpec = [['rank', 'asc'], ['name', 'desc']];
 * ```
 */
export type SortSpec = ReadonlyArray<readonly [string, 'asc' | 'desc']>;

function isNull(v: unknown): boolean {
  return v === null || v === undefined;
}

/**
 * Compare two strings by Unicode code point: the order of their UTF-8
 * bytes. `'\u{1F600}' > '\uFF61'` here, while `<` (UTF-16 code units)
 * says the opposite.
 *
 * @example
 * ```ts
 * compareByCodePoint('\u{1F600}', '\uFF61'); // 1
 * ```
 */
export function compareByCodePoint(a: string, b: string): number {
  return Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

/**
 * Compare two non-null scalars of one type.
 *
 * @example
 * ```ts
 * compareScalars(2n, 10n); // -1
 * ```
 */
export function compareScalars(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return compareByCodePoint(a, b);
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime() ? 0 : a.getTime() < b.getTime() ? -1 : 1;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (typeof a !== typeof b) throw new TypeError(`cannot compare ${typeof a} with ${typeof b}`);
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

/**
 * Compare two records under a sort spec that already ends with id:
 * nulls first ascending, last descending.
 *
 * @example
 * ```ts
 * rows.sort((a, b) => compareRecords([['rank', 'asc'], ['id', 'asc']], a, b));
 * ```
 */
export function compareRecords(spec: SortSpec, a: Rec, b: Rec): number {
  for (const [field, dir] of spec) {
    const x = a[field];
    const y = b[field];
    let r: number;
    if (isNull(x) || isNull(y)) r = isNull(x) && isNull(y) ? 0 : isNull(x) ? -1 : 1;
    else r = compareScalars(x, y);
    if (r !== 0) return dir === 'desc' ? -r : r;
  }
  return 0;
}

/**
 * The full order the repository promises for `orderBy`: the given keys, then
 * id in the direction of the last key (asc when there is none).
 *
 * @example
 * ```ts
 * withIdTieBreaker([['rank', 'desc']]); // [['rank', 'desc'], ['id', 'desc']]
 * ```
 */
export function withIdTieBreaker(spec: SortSpec): SortSpec {
  if (spec.some(([f]) => f === 'id')) return spec;
  return [...spec, ['id', spec.at(-1)?.[1] ?? 'asc']];
}

/**
 * A sorted copy of `rows` in the full order of `spec`.
 *
 * @example
 * ```ts
 * const expected = sortRecords(rows, [['createdAt', 'desc']]).map((r) => r.id);
 * ```
 */
export function sortRecords(rows: readonly Rec[], spec: SortSpec): Rec[] {
  const full = withIdTieBreaker(spec);
  return [...rows].sort((a, b) => compareRecords(full, a, b));
}

/**
 * The rows strictly after `cursor` in the full order of `spec`, sorted.
 *
 * @example
 * ```ts
 * const all: Rec[] = [{ id: 'a', rank: 2 }, { id: 'b', rank: null }, { id: 'c', rank: 1 }];
 * rowsAfter(all, [['rank', 'asc']], { id: 'b', rank: null }).map((r) => r.id); // ['c', 'a']: nulls sort first
 * ```
 */
export function rowsAfter(rows: readonly Rec[], spec: SortSpec, cursor: Rec | undefined): Rec[] {
  const full = withIdTieBreaker(spec);
  const sorted = [...rows].sort((a, b) => compareRecords(full, a, b));
  return cursor ? sorted.filter((r) => compareRecords(full, r, cursor) > 0) : sorted;
}

/**
 * Deep equality with types: Dates by time, bigints, bytes by content,
 * arrays in order, objects with the same keys in any order.
 *
 * @example
 * ```ts
 * sameValue(new Uint8Array([1]), Buffer.from([1])); // true
 * ```
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return sameValue(ka, kb) && ka.every((k) => sameValue((a as Rec)[k], (b as Rec)[k]));
  }
  return false;
}

/**
 * A printable form of a value for assertion messages (bigints and Dates kept apart from numbers and strings).
 *
 * @example
 * ```ts
 * show({ n: 1n }); // '{"n":"1n"}'
 * ```
 */
export function show(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === 'bigint') return `${x}n`;
    if (x instanceof Uint8Array) return `bytes[${Array.from(x).join(',')}]`;
    return x;
  }) ?? String(v);
}
