import type { Condition } from '@chatcore/core/driver';
import { idProblem } from './document-rules.js';

/**
 * When a filter pins the id at its top level (`id = x`, `id in [...]`, or
 * either inside a top-level `and`), the ids to read and the rest of the
 * filter to check on them; undefined otherwise. Ids that cannot exist in
 * Firestore are dropped (they match nothing).
 *
 * @example
 * ```ts
 * idTargets({ kind: 'cmp', field: 'id', op: 'eq', value: 'a' }); // { ids: ['a'], rest: undefined }
 * ```
 */
export function idTargets(c: Condition | undefined): { ids: string[]; rest: Condition | undefined } | undefined {
  if (!c) return undefined;
  const direct = idsOf(c);
  if (direct) return { ids: direct, rest: undefined };
  if (c.kind !== 'and') return undefined;
  let ids: string[] | undefined;
  const rest: Condition[] = [];
  for (const x of c.conditions) {
    const own = idsOf(x);
    if (!own) rest.push(x);
    else ids = ids === undefined ? own : ids.filter((id) => own.includes(id));
  }
  if (ids === undefined) return undefined;
  return { ids, rest: rest.length === 0 ? undefined : rest.length === 1 ? rest[0] : { kind: 'and', conditions: rest } };
}

function idsOf(c: Condition): string[] | undefined {
  if (c.kind === 'cmp' && c.field === 'id' && c.op === 'eq') return valid([c.value]);
  if (c.kind === 'in' && c.field === 'id' && !c.negate) return valid(c.values);
  return undefined;
}

function valid(values: readonly unknown[]): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && !idProblem(v)))];
}
