import { ForeignKeyError } from '../errors.js';
import type { DriverSession } from '../driver/driver.js';
import type { Condition } from '../query/condition.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import type { ReferenceRule } from './reference-rules.js';

/**
 * Record ids by repository name.
 *
 * @example
 * ```ts
 * const ids: RecordIds = new Map([['chats', new Set(['c1'])]]);
 * ```
 */
export type RecordIds = Map<string, Set<string>>;

/**
 * What a delete will do, worked out before it writes anything: every record
 * it removes (its own ids and, transitively, what `cascade` removes with
 * them) and how many referencing records cascades and `set null` touch.
 *
 * @example
 * ```ts
 * const plan = await planDelete(planner, 'chats', ['c1'], session, undefined);
 * plan.deleted.get('lines'); // the lines the cascade removes
 * ```
 */
export interface DeletePlan {
  /** Every record the delete removes, its own ids included. */
  readonly deleted: RecordIds;
  /** Distinct referencing records deleted by cascades or cleared by `set null` (not the delete's own ids). */
  readonly touched: number;
  /** Planning stopped once `touched` passed the budget: the delete touches at least that many (and was not checked further). */
  readonly overBudget: boolean;
}

/**
 * What planning needs of the database: its repositories, its rules by
 * referenced repository, the driver's largest `in` list, and whether
 * records cleared by `set null` must be counted (only against a bound).
 *
 * @example
 * ```ts
 * const planner: DeletePlanner = { storage, byParent, chunk: caps.maxInList ?? 1000, countCleared: caps.maxReferenceWrites !== undefined };
 * ```
 */
export interface DeletePlanner {
  readonly storage: ReadonlyMap<string, RepositorySchema>;
  readonly byParent: ReadonlyMap<string, readonly ReferenceRule[]>;
  readonly chunk: number;
  readonly countCleared: boolean;
}

const NO_RULES: readonly ReferenceRule[] = [];
const BY_ID = [{ field: 'id', direction: 'asc' as const }];

/**
 * Plan deleting `ids` of `repository` in `session`: follow `cascade` rules
 * level after level (self references and cycles included) to the set of
 * records the delete removes, then refuse with ForeignKeyError
 * ('restricted') when a `restrict` rule has a referencing record outside
 * that set. Restrict so means what it means to a SQL foreign key checked at
 * the end of the statement: no referencing record survives the delete.
 * `alreadyDeleted` holds records an enclosing delete of the same
 * transaction has planned: they count as removed. With a `budget` (what
 * is left of a backend's maxReferenceWrites) planning stops reading once
 * more records than that would be touched (`overBudget`), so a parent of a
 * million children costs one bounded read before it is refused. Reads only.
 *
 * @example
 * ```ts
 * const plan = await planDelete(planner, 'chats', ['c1'], session, undefined);
 * // throws ForeignKeyError('restricted') when a kept record still references one of them
 * ```
 */
export async function planDelete(
  planner: DeletePlanner,
  repository: string,
  ids: readonly string[],
  session: DriverSession,
  alreadyDeleted: ReadonlyMap<string, ReadonlySet<string>> | undefined,
  budget?: number,
): Promise<DeletePlan> {
  const deleted: RecordIds = new Map();
  const cleared: RecordIds = new Map();
  const gone = (repo: string, id: string) => deleted.get(repo)?.has(id) === true || alreadyDeleted?.get(repo)?.has(id) === true;
  const own = new Set(ids.filter((id) => !gone(repository, id)));
  deleted.set(repository, new Set(own));
  const queue: [string, string[]][] = [[repository, [...own]]];
  // Records found so far (an upper bound of `touched`), against the budget.
  let found = 0;
  for (let next = queue.pop(); next; next = queue.pop()) {
    const [parent, parentIds] = next;
    for (const rule of planner.byParent.get(parent) ?? NO_RULES) {
      if (rule.onDelete === 'restrict' || (rule.onDelete === 'set null' && !planner.countCleared)) continue;
      const ids = await referencing(planner, rule, parentIds, session, budget === undefined ? undefined : budget - found + 1, false);
      if (rule.onDelete === 'set null') {
        for (const id of ids) add(cleared, rule.child, id);
        found += ids.length;
      } else {
        const fresh = ids.filter((id) => !gone(rule.child, id));
        for (const id of fresh) add(deleted, rule.child, id);
        found += fresh.length;
        if (fresh.length > 0) queue.push([rule.child, fresh]);
      }
      if (budget !== undefined && found > budget) return { deleted, touched: found, overBudget: true };
    }
  }
  await refuseRestricted(planner, deleted, gone, (repo) => (deleted.get(repo)?.size ?? 0) + (alreadyDeleted?.get(repo)?.size ?? 0) > 0, session);
  let touched = 0;
  for (const [repo, set] of deleted) touched += repo === repository ? set.size - own.size : set.size;
  for (const [repo, set] of cleared) for (const id of set) if (!gone(repo, id)) touched++;
  return { deleted, touched, overBudget: false };
}

/** Refuse when a `restrict` rule of a deleted record has a referencing record that is not deleted too. */
async function refuseRestricted(
  planner: DeletePlanner,
  deleted: RecordIds,
  gone: (repo: string, id: string) => boolean,
  removesAny: (repo: string) => boolean,
  session: DriverSession,
): Promise<void> {
  for (const [parent, set] of deleted) {
    if (set.size === 0) continue;
    for (const rule of planner.byParent.get(parent) ?? NO_RULES) {
      if (rule.onDelete !== 'restrict') continue;
      // When the delete removes no record of the referencing repository, any hit refuses: one row is enough.
      const found = await referencing(planner, rule, [...set], session, removesAny(rule.child) ? undefined : 1, true);
      if (found.some((id) => !gone(rule.child, id))) {
        throw new ForeignKeyError('restricted', { repository: rule.child, field: rule.field, target: rule.parent });
      }
    }
  }
}

/**
 * Ids of the `rule.child` records whose `rule.field` names one of
 * `parentIds`; with a `limit`, at most that many in all (`anyHit`: stop at
 * the first chunk with a hit, for a yes/no answer).
 */
async function referencing(planner: DeletePlanner, rule: ReferenceRule, parentIds: readonly string[], session: DriverSession, limit: number | undefined, anyHit: boolean): Promise<string[]> {
  const child = planner.storage.get(rule.child)!;
  const out: string[] = [];
  for (let i = 0; i < parentIds.length; i += planner.chunk) {
    const left = limit === undefined ? undefined : limit - out.length;
    const where: Condition = { kind: 'in', field: rule.field, values: parentIds.slice(i, i + planner.chunk), negate: false };
    const rows = await session.query(child, { where, orderBy: BY_ID, select: ['id'], anyOrder: true, ...(left === undefined ? {} : { limit: left }) }, {});
    for (const r of rows) out.push(r.id as string);
    if ((anyHit && rows.length > 0) || (left !== undefined && rows.length >= left)) return out;
  }
  return out;
}

function add(map: RecordIds, repo: string, id: string): void {
  (map.get(repo) ?? map.set(repo, new Set()).get(repo)!).add(id);
}
