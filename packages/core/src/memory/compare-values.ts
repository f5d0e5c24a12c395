/**
 * Compare two strings by Unicode code point, which is the order of their
 * UTF-8 bytes: the order of PostgreSQL's "C" collation and of Firestore.
 * Plain `<` compares UTF-16 code units and puts U+E000..U+FFFF after
 * astral characters, which no backend does.
 *
 * @example
 * ```ts
 * compareStrings('a', 'b'); // -1
 * ```
 */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) < codePointRank(y) ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Surrogates (astral code points) rank above every BMP code unit. */
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/**
 * Compare two non-null values of the same field type: strings by code
 * point, numbers and bigints numerically, Dates by time, false before true.
 * Returns a negative number, 0 or a positive number.
 *
 * @example
 * ```ts
 * compareValues(new Date(1), new Date(2)); // -1
 * ```
 */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (a instanceof Date && b instanceof Date) return sign(a.getTime() - b.getTime());
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  // JSON and arrays only reach here through equality; compare their canonical text.
  return compareStrings(canonical(a), canonical(b));
}

/**
 * Equality of two non-null values of one field type (Dates by time, bytes by
 * content, JSON and arrays structurally).
 *
 * @example
 * ```ts
 * valuesEqual(10n, 10n); // true
 * ```
 */
export function valuesEqual(a: unknown, b: unknown): boolean {
  return compareValues(a, b) === 0;
}

/**
 * A string key equal for equal values, for Sets and Maps (unique checks).
 *
 * @example
 * ```ts
 * valueKey(new Date(0)); // 'd0'
 * ```
 */
export function valueKey(v: unknown): string {
  if (typeof v === 'string') return `s${v}`;
  if (typeof v === 'number') return `n${Object.is(v, -0) ? 0 : v}`;
  if (typeof v === 'bigint') return `b${v}`;
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (v instanceof Date) return `d${v.getTime()}`;
  return `j${canonical(v)}`;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return sign(a.length - b.length);
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === 'bigint') return `${x}n`;
    if (x instanceof Uint8Array) return Array.from(x);
    if (x && typeof x === 'object' && !Array.isArray(x)) {
      const o = x as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
    }
    return x;
  });
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}
