import type { Rec } from './reference.js';

/**
 * Base instant of the filter data; rows differ from it by milliseconds.
 *
 * @example
 * ```ts
 * new Date(BASE_MS + 3);
 * ```
 */
export const BASE_MS = Date.UTC(2024, 0, 1, 12, 0, 0, 0);
/**
 * 2^53: bigints around it cannot be told apart as doubles.
 *
 * @example
 * ```ts
 * Number(P53) === Number(P53 + 1n); // true
 * ```
 */
export const P53 = 2n ** 53n;

// Astral characters next to characters above U+E000: code point order (every
// backend) and UTF-16 code unit order (JavaScript's <) disagree on them.
const NAMES = ['apple', 'apricot', 'banana', 'a%b', 'a_c', 'Apple', 'ab', 'cherry', 'b', 'a\\d', 'a\u{1F600}', '\uFF61', 'a\uFF61x', '\u{1F600}'];
const RANKS = [null, 3, 1, 2, 3, null, -1, 0, 3, 2, null, 5, 1, 0, 4, 2, 3, null];

/**
 * The rows of the filter and ordering tests: every sortable type, with
 * nulls, ties and values that only exact comparisons tell apart (bigints
 * around 2^53, timestamps 1 ms apart, LIKE wildcards in strings, astral
 * characters that code point and code unit order place differently).
 *
 * @example
 * ```ts
 * const made = await db.items.createMany(filterRows(tag));
 * ```
 */
export function filterRows(): Rec[] {
  return RANKS.map((rank, i) => ({
    name: NAMES[i % NAMES.length],
    rank,
    score: i % 3 === 0 ? null : (i - 7) * 1.5,
    big: i % 4 === 1 ? null : P53 + BigInt(i % 5) - 2n,
    at: i % 5 === 2 ? null : new Date(BASE_MS + (i % 6)),
    flag: [true, false, null][i % 3],
    kind: ['alpha', 'beta', 'gamma', null][i % 4],
    tag: i % 2 ? 'odd' : i % 3 ? 'even' : null,
  }));
}
