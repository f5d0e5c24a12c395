import type { Condition } from './condition.js';

/**
 * The field names a normalized condition reads, added to `out` (a new set
 * by default): names only, never values. Plugins use it to check a cached
 * answer against its filter or to record which fields a query touched.
 *
 * @example
 * ```ts
 * import { conditionFields } from '@chatcore/core/plugin';
 * conditionFields({ kind: 'or', conditions: [{ kind: 'cmp', field: 'age', op: 'gt', value: 3 }, { kind: 'isNull', field: 'email', isNull: true }] });
 * // Set { 'age', 'email' }
 * ```
 */
export function conditionFields(c: Condition | undefined, out: Set<string> = new Set()): Set<string> {
  if (!c) return out;
  if (c.kind === 'and' || c.kind === 'or') for (const x of c.conditions) conditionFields(x, out);
  else out.add(c.field);
  return out;
}
