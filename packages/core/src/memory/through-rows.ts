import { THROUGH_LINK, THROUGH_PARENT, type ThroughQuery } from '../query/condition.js';
import type { StoredRow } from '../driver/driver.js';
import { copyRow } from './copy-value.js';

/**
 * A `through` query over rows already filtered and in the query's order:
 * for each parent key, the first `limit` rows linked to it by a join row,
 * each copied with its parent key and the id of a linking join row.
 *
 * @example
 * ```ts
 * const out = throughRows(sortRows(matching, q.orderBy), joinTable.values(), q.through!, q.select);
 * ```
 */
export function throughRows(rows: readonly StoredRow[], links: Iterable<StoredRow>, through: ThroughQuery, select: readonly string[] | undefined): StoredRow[] {
  const keys = new Set(through.keys);
  // target id -> parent key -> the smallest id of the join rows linking them
  const linked = new Map<string, Map<string, string>>();
  for (const link of links) {
    const parent = link[through.field];
    const target = link[through.targetField];
    if (typeof parent !== 'string' || typeof target !== 'string' || !keys.has(parent)) continue;
    let parents = linked.get(target);
    if (!parents) linked.set(target, (parents = new Map()));
    const id = link.id as string;
    const seen = parents.get(parent);
    if (seen === undefined || id < seen) parents.set(parent, id);
  }
  const taken = new Map<string, number>();
  const out: StoredRow[] = [];
  for (const row of rows) {
    const parents = linked.get(row.id as string);
    if (!parents) continue;
    for (const [parent, link] of parents) {
      const n = taken.get(parent) ?? 0;
      if (n >= through.limit) continue;
      taken.set(parent, n + 1);
      out.push({ ...copyRow(row, select), [THROUGH_PARENT]: parent, [THROUGH_LINK]: link });
    }
  }
  return out;
}
