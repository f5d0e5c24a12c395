import { defineRepository } from '../schema/define-repository.js';
import { f } from '../schema/fields.js';
import type { Rec } from './reference.js';

/**
 * The repository of the text, array and distinct filter tests: a required
 * and an optional string, and optional arrays of strings and integers.
 *
 * @example
 * ```ts
 * const repo = wordsRepository(h.table('text'));
 * ```
 */
export function wordsRepository(table: string) {
  return defineRepository('words', {
    id: f.id(),
    word: f.string(),
    note: f.string().optional(),
    rank: f.integer().optional(),
    tags: f.array(f.string()).optional(),
    nums: f.array(f.integer()).optional(),
    createdAt: f.timestamp().createdAt(),
  }, { table });
}

/**
 * Words that only a correct implementation tells apart: LIKE wildcards and
 * the escape character as ordinary characters; case pairs beyond ASCII;
 * 'ß' (lowercase of 'ẞ', never equal to 'ss'); the Turkish dotted capital
 * 'İ' (its lowercase is 'i' plus a combining dot, so it does not match a
 * plain 'i') and dotless 'ı' (already lowercase, so it matches only itself).
 *
 * @example
 * ```ts
 * await db.words.createMany(wordRows() as never[]);
 * ```
 */
export const WORDS: readonly string[] = [
  'Apple pie', 'apple PIE', 'APPLE', 'pineapple', 'a%b', 'A%B', 'a_c', 'aXc', 'a\\d', 'A\\D', '50%', '5000',
  'straße', 'STRASSE', 'STRAẞE', 'İstanbul', 'istanbul', 'ISTANBUL', 'ıstanbul', 'Ärger', 'ärger', 'ÄRGER', '', 'x',
];
const TAGS: ReadonlyArray<readonly string[] | null> = [['red', 'blue'], ['red'], [], null, ['green', 'blue', 'red'], ['Red'], ['blue', 'red']];
const NUMS: ReadonlyArray<readonly number[] | null> = [[1, 2, 3], null, [3], [], [2, 3, 5]];

/**
 * One row per word: `note` repeats some words and is null for others, the
 * arrays cycle through lists with nulls, empty lists, repeats and order changes.
 *
 * @example
 * ```ts
 * const rows = wordRows(); // rows[0].word === 'Apple pie'
 * ```
 */
export function wordRows(): Rec[] {
  return WORDS.map((word, i) => ({
    word,
    note: i % 3 === 0 ? null : WORDS[(i * 7) % WORDS.length],
    rank: i % 4 === 3 ? null : i % 4,
    tags: TAGS[i % TAGS.length],
    nums: NUMS[i % NUMS.length],
  }));
}
