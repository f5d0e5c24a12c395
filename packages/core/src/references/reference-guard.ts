import { ForeignKeyError, UnsupportedQueryError } from '../errors.js';
import type { DriverCapabilities } from '../driver/capabilities.js';
import type { DriverSession, StoredRow } from '../driver/driver.js';
import type { Condition } from '../query/condition.js';
import type { Operation, OperationResult } from '../plugin/operation.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import type { TransactionScopeState } from '../database/transaction-scope.js';
import { isRequestTooLarge } from '../driver/request-too-large.js';
import { referenceRules, type ReferenceRule } from './reference-rules.js';
import { planDelete, type DeletePlanner, type RecordIds } from './delete-plan.js';

/**
 * What a cascade needs of a repository: its public bulk writes, so that
 * cascaded deletes and cleared references pass through every plugin (audit
 * records them, the cache drops them) like any other call.
 *
 * @example
 * ```ts
 * const lookup: CascadeLookup = (name, scope) => repositories.get(name)!.boundTo(scope);
 * ```
 */
export interface CascadeRepository {
  deleteMany(where: unknown, options: CascadeCaller): Promise<number>;
  updateMany(where: unknown, patch: unknown, options: CascadeCaller): Promise<number>;
}

/**
 * Who deleted the parent: cascades carry the same trace id, actor and tenant,
 * so the audit trail ties them to the delete that caused them.
 *
 * @example
 * ```ts
 * const caller: CascadeCaller = { traceId: ctx.traceId, actor: ctx.actor, tenant: ctx.tenant };
 * ```
 */
export interface CascadeCaller {
  readonly traceId: string;
  readonly actor?: string | undefined;
  readonly tenant?: string | undefined;
}

/**
 * The repository `name` bound to `scope` (the delete's transaction).
 *
 * @example
 * ```ts
 * guard.bind((name, scope) => RepositoryImpl.bound(root.get(name)!, scope));
 * ```
 */
export type CascadeLookup = (name: string, scope: TransactionScopeState | undefined) => CascadeRepository;

const NO_RULES: readonly ReferenceRule[] = [];
const BY_ID = [{ field: 'id', direction: 'asc' as const }];

function inList(field: string, values: readonly unknown[]): Condition {
  return { kind: 'in', field, values, negate: false };
}

/**
 * Enforces `.references()` in the transaction of each write, for what the
 * backend does not enforce itself. On a backend with `foreignKeys`
 * (SQL constraints) writes and restrict are left to the database, and only
 * cascades and `set null` run here, first, through the plugins, so audit
 * and the cache see them. Elsewhere (memory, Firestore) everything runs
 * here: a write's references must name existing records, and a delete is
 * planned before it writes anything: the records it removes with its
 * cascades, then restrict (refused when a referencing record outside that
 * set remains, as a SQL foreign key would), then the bound; only then do
 * the cascades and `set null` run, all in the delete's transaction.
 * `maxReferenceWrites` bounds the records cascades may touch in one
 * transaction (Firestore: 500). Where the driver can (`lockRows`, SQL), a
 * delete first locks the rows it deletes, so that no referencing record
 * commits between its cascades and its own delete.
 *
 * @example
 * ```ts
 * const result = guard.applies(op) ? await guard.run(op, session, scope, ctx, (o) => callDriver(session, o, opts)) : await callDriver(session, op, opts);
 * ```
 */
export class ReferenceGuard {
  private readonly byChild: ReadonlyMap<string, readonly ReferenceRule[]>;
  private readonly byParent: ReadonlyMap<string, readonly ReferenceRule[]>;
  private readonly inDatabase: boolean;
  private readonly chunk: number;
  /** Records touched by cascades per transaction scope, against maxReferenceWrites. */
  private readonly tallies = new WeakMap<object, number>();
  /** Per transaction scope, while a delete runs: the records its plan removes, so the cascades it runs are not planned again. */
  private readonly plans = new WeakMap<object, { deleted: RecordIds; depth: number }>();
  private readonly planner: DeletePlanner;
  private lookup: CascadeLookup | undefined;

  constructor(private readonly storage: ReadonlyMap<string, RepositorySchema>, private readonly capabilities: DriverCapabilities) {
    ({ byChild: this.byChild, byParent: this.byParent } = referenceRules([...storage.values()]));
    this.inDatabase = capabilities.foreignKeys === true;
    this.chunk = capabilities.maxInList ?? 1000;
    this.planner = { storage, byParent: this.byParent, chunk: this.chunk, countCleared: capabilities.maxReferenceWrites !== undefined };
  }

  /** Where cascades find the repositories (set once by createDatabase). */
  bind(lookup: CascadeLookup): void {
    this.lookup = lookup;
  }

  /** Whether `op` has references to check or cascades to run (and so wants a transaction). */
  applies(op: Operation): boolean {
    switch (op.kind) {
      case 'insert':
        // Rows that name no record (every key null) have nothing to check: no transaction, so a backend that
        // splits large inserts into batches (Firestore) still can.
        return !this.inDatabase && (this.byChild.get(op.schema.name) ?? NO_RULES).some((r) => op.rows.some((row) => row[r.field] != null));
      case 'upsert':
        return !this.inDatabase && this.byChild.has(op.schema.name);
      case 'update':
        return !this.inDatabase && (this.byChild.get(op.schema.name) ?? NO_RULES).some((r) => r.field in op.patch.set);
      case 'delete': {
        const rules = this.byParent.get(op.schema.name);
        return rules !== undefined && (!this.inDatabase || rules.some((r) => r.onDelete !== 'restrict'));
      }
      default:
        return false;
    }
  }

  /**
   * Check or apply the references of `op` (a storage-level operation) in
   * `session`, then run it with `call`. As in SQL, only values the write
   * stores are checked: an update's patch only when it matches a record, an
   * upsert's row only when it inserts and its patch only when it updates.
   * What the check found is what `call` writes: an update goes down pinned
   * to the ids it matched (its filter still applies), and an upsert whose
   * branch changed meanwhile has that branch checked before it returns.
   */
  async run(
    op: Operation,
    session: DriverSession,
    scope: TransactionScopeState | undefined,
    caller: CascadeCaller,
    call: (op: Operation) => Promise<OperationResult>,
  ): Promise<OperationResult> {
    switch (op.kind) {
      case 'insert': {
        const own = op.schema.name;
        const batchIds = new Set(op.rows.map((r) => r.id as string));
        for (const rule of this.byChild.get(own) ?? NO_RULES) await this.targetsExist(rule, referenced(rule, op.rows, rule.parent === own ? batchIds : undefined), session);
        return call(op);
      }
      case 'upsert': {
        const updates = await this.upsertFinds(op, session);
        await this.upsertBranchRefs(op, updates, session);
        const result = await call(op);
        // Another writer created or removed the conflicting record between
        // the read above and the write: check the branch that ran.
        if (result.created === updates) await this.upsertBranchRefs(op, !updates, session);
        return result;
      }
      case 'update': {
        const { ids: named, where } = op.target;
        const ids = named && !where
          ? (await session.getByIds(op.schema, [...new Set(named)], { select: ['id'] })).map((r) => r.id as string)
          : await this.targetIds(op, session);
        if (ids.length > 0) {
          for (const rule of this.byChild.get(op.schema.name) ?? NO_RULES) await this.targetsExist(rule, referenced(rule, [op.patch.set], undefined), session);
        }
        return call({ ...op, target: { ids, where } });
      }
      case 'delete': {
        const ids = await this.lockedIds(op, session, await this.targetIds(op, session));
        await this.onDelete(op, ids, session, scope, caller);
        // Locked, the delete goes down pinned to the rows it locked (its filter still applies): a
        // row that matches only since would be deleted with no cascade run through the plugins.
        return call(session.lockRows ? { ...op, target: { ids, where: op.target.where } } : op);
      }
      default:
        return call(op);
    }
  }

  /** Whether the upsert `op` will update: a record with its conflict fields exists (as the drivers decide it). */
  private async upsertFinds(op: Extract<Operation, { kind: 'upsert' }>, session: DriverSession): Promise<boolean> {
    const fields = op.conflictFields.length ? op.conflictFields : ['id'];
    if (fields.some((f) => op.row[f] === null || op.row[f] === undefined)) return false;
    if (fields.length === 1 && fields[0] === 'id') return (await session.getByIds(op.schema, [op.row.id as string], { select: ['id'] })).length > 0;
    const where: Condition = { kind: 'and', conditions: fields.map((field) => ({ kind: 'cmp' as const, field, op: 'eq' as const, value: op.row[field] })) };
    return (await session.query(op.schema, { where, orderBy: BY_ID, limit: 1, select: ['id'] }, {})).length > 0;
  }

  /** Check the references the upsert `op` writes when it updates (its patch) or inserts (its row). */
  private async upsertBranchRefs(op: Extract<Operation, { kind: 'upsert' }>, updates: boolean, session: DriverSession): Promise<void> {
    // The record may name itself: created, it exists by the time the
    // reference counts (as in a batch insert); updated, it exists already.
    const own = op.schema.name;
    const self = new Set([op.row.id as string]);
    const onId = op.conflictFields.length === 1 && op.conflictFields[0] === 'id';
    for (const rule of this.byChild.get(own) ?? NO_RULES) {
      const mine = rule.parent === own ? self : undefined;
      const wanted = updates ? referenced(rule, [op.patch.set], onId ? mine : undefined) : referenced(rule, [op.row], mine);
      await this.targetsExist(rule, wanted, session);
    }
  }

  private async targetsExist(rule: ReferenceRule, wanted: ReadonlySet<string>, session: DriverSession): Promise<void> {
    if (wanted.size === 0) return;
    const parent = this.storage.get(rule.parent)!;
    for (const part of chunks([...wanted], this.chunk)) {
      const found = await session.getByIds(parent, part, { select: ['id'] });
      if (found.length < part.length) throw new ForeignKeyError('missing-target', { repository: rule.child, field: rule.field, target: rule.parent });
    }
  }

  /** Plan (where core enforces restrict) and run the cascades of the delete `op` of `ids`. */
  private async onDelete(op: Extract<Operation, { kind: 'delete' }>, ids: readonly string[], session: DriverSession, scope: TransactionScopeState | undefined, caller: CascadeCaller): Promise<void> {
    if (ids.length === 0) return;
    if (this.inDatabase) {
      // The database checks restrict; the cascades count as they run.
      return this.cascade(op.schema.name, ids, scope, caller, (rule, part) => this.countInDatabase(rule, part, session, scope));
    }
    const key = scope ?? session;
    let active = this.plans.get(key);
    if (!active) this.plans.set(key, active = { deleted: new Map(), depth: 0 });
    active.depth++;
    try {
      // The cascades below re-enter here for ids this plan already covers:
      // those are neither checked nor counted again, only cascaded further.
      const name = op.schema.name;
      const fresh = ids.filter((id) => active.deleted.get(name)?.has(id) !== true);
      if (fresh.length > 0) {
        const bound = this.capabilities.maxReferenceWrites;
        const plan = await planDelete(this.planner, name, fresh, session, active.deleted, bound === undefined ? undefined : bound - (this.tallies.get(key) ?? 0));
        this.reserve(plan.touched, name, key, plan.overBudget);
        for (const [repo, set] of plan.deleted) {
          const into = active.deleted.get(repo) ?? active.deleted.set(repo, new Set()).get(repo)!;
          for (const id of set) into.add(id);
        }
      }
      await this.cascade(name, ids, scope, caller, undefined);
    } finally {
      if (--active.depth === 0) this.plans.delete(key);
    }
  }

  /**
   * Lock the rows about to be deleted (where the driver can), before
   * anything reads what references them: a write of another transaction
   * that would reference one of them now waits for this delete and then
   * fails its own check, rather than commit between the cascades and the
   * delete, where the constraint's ON DELETE would remove or clear it
   * unseen by plugins. The ids that exist, locked; else `ids` as given.
   */
  private async lockedIds(op: Extract<Operation, { kind: 'delete' }>, session: DriverSession, ids: string[]): Promise<string[]> {
    if (!session.lockRows || ids.length === 0) return ids;
    const out: string[] = [];
    for (const part of chunks(ids, this.chunk)) out.push(...await session.lockRows(op.schema, part, {}));
    return out;
  }

  /** Run the cascades and `set null` of deleting `ids` of `parent`, through the child repositories (and so their plugins). */
  private async cascade(
    parent: string,
    ids: readonly string[],
    scope: TransactionScopeState | undefined,
    caller: CascadeCaller,
    beforeEach: ((rule: ReferenceRule, part: readonly string[]) => Promise<void>) | undefined,
  ): Promise<void> {
    const options = { traceId: caller.traceId, actor: caller.actor, tenant: caller.tenant };
    for (const rule of this.byParent.get(parent) ?? NO_RULES) {
      if (rule.onDelete === 'restrict') continue;
      const repo = this.lookup!(rule.child, scope);
      for (const part of chunks(ids, this.chunk)) {
        if (beforeEach) await beforeEach(rule, part);
        const where = { [rule.field]: { in: part } };
        if (rule.onDelete === 'cascade') await repo.deleteMany(where, options);
        else await repo.updateMany(where, { [rule.field]: null }, options);
      }
    }
  }

  /** The ids a delete or update targets: its ids (those that exist), narrowed by its filter when it has one. */
  private async targetIds(op: Extract<Operation, { kind: 'delete' | 'update' }>, session: DriverSession): Promise<string[]> {
    const { ids, where } = op.target;
    if (ids && !where) return [...new Set(ids)];
    const out: string[] = [];
    const parts = ids ? chunks([...new Set(ids)], this.chunk) : [undefined];
    for (const part of parts) {
      const cond: Condition | undefined = part ? (where ? { kind: 'and', conditions: [inList('id', part), where] } : inList('id', part)) : where;
      const rows = await session.query(op.schema, { where: cond, orderBy: BY_ID, select: ['id'] }, {});
      for (const r of rows) out.push(r.id as string);
    }
    return out;
  }

  /** Add `n` records to the tally of this transaction against maxReferenceWrites; past it refuse, and add nothing. */
  private reserve(n: number, parent: string, key: object, atLeast = false): void {
    const bound = this.capabilities.maxReferenceWrites;
    if (bound === undefined || n === 0) return;
    const total = (this.tallies.get(key) ?? 0) + n;
    if (total > bound) {
      throw new UnsupportedQueryError(
        `Deleting these ${parent} records would delete or update ${atLeast ? 'at least ' : ''}${n} referencing records (onDelete 'cascade' and 'set null'), ` +
          `more than the ${bound} this backend allows in one transaction${total > n ? ` (${total - n} already)` : ''}. ` +
          `Remove the referencing records first in batches (a background job), then delete; nothing was written.`,
        { info: { capability: 'maxReferenceWrites', bound, target: parent, records: n } },
      );
    }
    this.tallies.set(key, total);
  }

  /** On a backend with foreign keys and a bound: count a cascade's records as it runs. */
  private async countInDatabase(rule: ReferenceRule, ids: readonly string[], session: DriverSession, scope: TransactionScopeState | undefined): Promise<void> {
    if (this.capabilities.maxReferenceWrites === undefined) return;
    const n = await session.count(this.storage.get(rule.child)!, inList(rule.field, ids), {});
    this.reserve(n, rule.parent, scope ?? session);
  }
}

/** The ids `rows` name in `rule.field`, but for those in `alsoFine`. */
/**
 * The error of a write whose references core checked in one transaction:
 * a backend's refusal of that transaction for its size says why there was
 * one (the caller opened none) and what to do; any other error as it is.
 *
 * @example
 * ```ts
 * await written.catch((error: unknown) => { throw tooLargeToCheck(error, 'notes', 'createMany'); });
 * ```
 */
export function tooLargeToCheck(error: unknown, repository: string, method: string): unknown {
  if (!isRequestTooLarge(error)) return error;
  return new UnsupportedQueryError(
    `${repository}.${method} names records of other repositories (.references()), so it is checked and written in one transaction, ` +
      `and the backend refused that transaction for its size; nothing was written. Write fewer records per call. (${error.message})`,
    { cause: error, info: error.info },
  );
}

function referenced(rule: ReferenceRule, rows: readonly Readonly<StoredRow>[], alsoFine: ReadonlySet<string> | undefined): Set<string> {
  const wanted = new Set<string>();
  for (const row of rows) {
    const v = row[rule.field];
    if (typeof v === 'string' && !alsoFine?.has(v)) wanted.add(v);
  }
  return wanted;
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
