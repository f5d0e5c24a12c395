import type { SharedRead } from './tiers/shared-tier.js';

/**
 * An entry as both tiers store it: the value of its counter it was filled
 * under (`t`), fresh-until time, the value, and, only for a read that
 * depends on further counters (a query through a join repository), the
 * values those had (`x`). The entry is served only while every one of them
 * still has its value.
 *
 * @example
 * ```ts
 * const entry: StoredEntry = { t: 7, f: Date.now() + 60_000, v: rows, x: [3] };
 * ```
 */
export interface StoredEntry {
  readonly t: number;
  readonly f: number;
  readonly v: unknown;
  readonly x?: readonly number[];
}

/**
 * The counter values a fill is stored under: its own counter's, then those
 * of the further counters its keys name, in order.
 *
 * @example
 * ```ts
 * const tags: Tags = [7, 3]; // the target's generation, the join repository's
 * ```
 */
export type Tags = readonly number[];

/**
 * The counter values a shared read found, in the order of its keys.
 *
 * @example
 * ```ts
 * tagsOf({ raw: undefined, tag: 7, more: [3] }); // [7, 3]
 * ```
 */
export function tagsOf(r: SharedRead): Tags {
  return r.more ? [r.tag, ...r.more] : [r.tag];
}

/**
 * Whether an entry's further counter values (`x`) are those read now (both
 * absent for a plain read).
 *
 * @example
 * ```ts
 * sameMore([3], [4]); // false: the join repository was written since the fill
 * ```
 */
export function sameMore(stored: unknown, read: readonly number[] | undefined): boolean {
  if (read === undefined) return stored === undefined;
  return Array.isArray(stored) && stored.length === read.length && read.every((n, i) => stored[i] === n);
}
