import { ForeignKeyError, UnsupportedQueryError } from '../errors.js';
import type { DriverCapabilities } from '../driver/capabilities.js';
import type { DriverSession, StoredRow } from '../driver/driver.js';
import type { Condition } from '../query/condition.js';
import type { Operation } from '../plugin/operation.js';
import type { RepositorySchema } from '../schema/repository-schema.js';
import type { TransactionScopeState } from '../database/transaction-scope.js';
import { referenceRules, type ReferenceRule } from './reference-rules.js';

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
 * here: a write's references must name existing records, and a delete
 * applies restrict / cascade / set null to the records referencing it,
 * all in the delete's transaction. `maxReferenceWrites` bounds the records
 * cascades may touch in one transaction (Firestore: 500).
 *
 * @example
 * ```ts
 * if (guard.applies(op)) await guard.before(op, session, scope, ctx);
 * ```
 */
export class ReferenceGuard {
  private readonly byChild: ReadonlyMap<string, readonly ReferenceRule[]>;
  private readonly byParent: ReadonlyMap<string, readonly ReferenceRule[]>;
  private readonly inDatabase: boolean;
  private readonly chunk: number;
  /** Records touched by cascades per transaction scope, against maxReferenceWrites. */
  private readonly tallies = new WeakMap<object, number>();
  private lookup: CascadeLookup | undefined;

  constructor(private readonly storage: ReadonlyMap<string, RepositorySchema>, private readonly capabilities: DriverCapabilities) {
    ({ byChild: this.byChild, byParent: this.byParent } = referenceRules([...storage.values()]));
    this.inDatabase = capabilities.foreignKeys === true;
    this.chunk = capabilities.maxInList ?? 1000;
  }

  /** Where cascades find the repositories (set once by createDatabase). */
  bind(lookup: CascadeLookup): void {
    this.lookup = lookup;
  }

  /** Whether `op` has references to check or cascades to run (and so wants a transaction). */
  applies(op: Operation): boolean {
    switch (op.kind) {
      case 'insert':
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

  /** Check or apply the references of `op` (a storage-level operation) in `session`, before it reaches the driver. */
  async before(op: Operation, session: DriverSession, scope: TransactionScopeState | undefined, caller: CascadeCaller): Promise<void> {
    switch (op.kind) {
      case 'insert': {
        const own = op.schema.name;
        const batchIds = new Set(op.rows.map((r) => r.id as string));
        for (const rule of this.byChild.get(own) ?? NO_RULES) await this.targetsExist(rule, op.rows, session, rule.parent === own ? batchIds : undefined);
        return;
      }
      case 'upsert':
        for (const rule of this.byChild.get(op.schema.name) ?? NO_RULES) await this.targetsExist(rule, [op.row, op.patch.set], session, undefined);
        return;
      case 'update':
        for (const rule of this.byChild.get(op.schema.name) ?? NO_RULES) await this.targetsExist(rule, [op.patch.set], session, undefined);
        return;
      case 'delete':
        return this.onDelete(op, session, scope, caller);
      default:
        return;
    }
  }

  private async targetsExist(rule: ReferenceRule, rows: readonly Readonly<StoredRow>[], session: DriverSession, alsoFine: ReadonlySet<string> | undefined): Promise<void> {
    const wanted = new Set<string>();
    for (const row of rows) {
      const v = row[rule.field];
      if (typeof v === 'string' && !alsoFine?.has(v)) wanted.add(v);
    }
    if (wanted.size === 0) return;
    const parent = this.storage.get(rule.parent)!;
    for (const part of chunks([...wanted], this.chunk)) {
      const found = await session.getByIds(parent, part, { select: ['id'] });
      if (found.length < part.length) throw new ForeignKeyError('missing-target', { repository: rule.child, field: rule.field, target: rule.parent });
    }
  }

  private async onDelete(op: Extract<Operation, { kind: 'delete' }>, session: DriverSession, scope: TransactionScopeState | undefined, caller: CascadeCaller): Promise<void> {
    const rules = this.byParent.get(op.schema.name) ?? NO_RULES;
    const ids = await this.targetIds(op, session);
    if (ids.length === 0) return;
    if (!this.inDatabase) {
      for (const rule of rules) if (rule.onDelete === 'restrict') await this.refuseIfReferenced(rule, ids, session);
    }
    for (const rule of rules) {
      if (rule.onDelete === 'restrict') continue;
      const repo = this.lookup!(rule.child, scope);
      for (const part of chunks(ids, this.chunk)) {
        await this.count(rule, part, session, scope);
        const where = { [rule.field]: { in: part } };
        const options = { traceId: caller.traceId, actor: caller.actor, tenant: caller.tenant };
        if (rule.onDelete === 'cascade') await repo.deleteMany(where, options);
        else await repo.updateMany(where, { [rule.field]: null }, options);
      }
    }
  }

  /** The ids a delete will remove: its ids, narrowed by its filter when it has one. */
  private async targetIds(op: Extract<Operation, { kind: 'delete' }>, session: DriverSession): Promise<string[]> {
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

  private async refuseIfReferenced(rule: ReferenceRule, ids: readonly string[], session: DriverSession): Promise<void> {
    const child = this.storage.get(rule.child)!;
    for (const part of chunks(ids, this.chunk)) {
      const hit = await session.query(child, { where: inList(rule.field, part), orderBy: BY_ID, limit: 1, select: ['id'], anyOrder: true }, {});
      if (hit.length > 0) throw new ForeignKeyError('restricted', { repository: rule.child, field: rule.field, target: rule.parent });
    }
  }

  /** Count what a cascade will touch against maxReferenceWrites, before it writes anything. */
  private async count(rule: ReferenceRule, ids: readonly string[], session: DriverSession, scope: TransactionScopeState | undefined): Promise<void> {
    const bound = this.capabilities.maxReferenceWrites;
    if (bound === undefined) return;
    const n = await session.count(this.storage.get(rule.child)!, inList(rule.field, ids), {});
    const key = scope ?? session;
    const total = (this.tallies.get(key) ?? 0) + n;
    this.tallies.set(key, total);
    if (total > bound) {
      throw new UnsupportedQueryError(
        `Deleting these ${rule.parent} records would ${rule.onDelete === 'cascade' ? 'delete' : 'update'} more than ${bound} referencing records ` +
          `(${rule.child}.${rule.field}, onDelete: '${rule.onDelete}') in one transaction, the most this backend allows. ` +
          `Remove the ${rule.child} records first in batches (a background job), then delete; nothing was written.`,
        { info: { capability: 'maxReferenceWrites', bound, repository: rule.child, field: rule.field, target: rule.parent } },
      );
    }
  }
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
