import { PartialWriteError } from '@chatcore/core';
import { familyOf, type Operation, type OperationContext, type OperationResult, type TransactionEvent } from '@chatcore/core/plugin';
import type { CacheRuntime } from './cache-runtime.js';

/** ctx.state marker: this autocommitted write was already invalidated in `around`. */
const INVALIDATED = Symbol('cache.invalidated');

/**
 * Whether an operation kind changes data (insert, update, delete, upsert):
 * core's hook families, so a new kind is classified where it is declared.
 *
 * @example
 * ```ts
 * isWrite('upsert'); // true
 * isWrite('count');  // false
 * ```
 */
export function isWrite(kind: Operation['kind']): boolean {
  return familyOf(kind) !== 'read';
}

/**
 * The cache plugin's write role: invalidation after commit, never before. A
 * write outside a transaction is invalidated in `around` as soon as the
 * driver returns; the writes of a transaction when `afterCommit` fires.
 *
 * @example
 * ```ts
 * const writes = new WriteInvalidation(runtime);
 * if (isWrite(op.kind)) return writes.around(op, ctx, next); // from Plugin.around
 * ```
 */
export class WriteInvalidation {
  constructor(private readonly rt: CacheRuntime) {}

  /** The plugin's `around` for a write: only an autocommitted write to a cached repository, or one a cached repository reads through, is invalidated here. */
  around(op: Operation, ctx: OperationContext, next: (op: Operation) => Promise<OperationResult>): Promise<OperationResult> {
    const name = op.schema.name;
    return ctx.transaction || !(this.rt.repos.has(name) || this.rt.readers.has(name)) ? next(op) : this.autocommitWrite(op, ctx, next);
  }

  /**
   * A write outside any transaction is committed when the driver returns:
   * invalidate right then. This also covers writes that plugins send through
   * `host.execute` (re-encryption jobs), which fire no afterCommit.
   */
  private async autocommitWrite(op: Operation, ctx: OperationContext, next: (op: Operation) => Promise<OperationResult>): Promise<OperationResult> {
    let result: OperationResult;
    try {
      result = await next(op);
    } catch (error) {
      // A bulk write the backend split (Firestore past one batch) committed the ids it lists before it failed.
      if (error instanceof PartialWriteError && error.writtenIds.length > 0) {
        const empty: OperationResult = { rows: [] };
        await this.rt.invalidator?.committed({ transactionId: ctx.traceId, attempt: 1, implicit: true, operations: [{ op, ctx, result: empty, ids: error.writtenIds, failed: true }] });
      }
      throw error;
    }
    ctx.state.set(INVALIDATED, true);
    const ids = op.kind === 'delete' ? (result.ids ?? []) : result.rows.map((r) => r.id as string);
    await this.rt.invalidator?.committed({ transactionId: ctx.traceId, attempt: 1, implicit: true, operations: [{ op, ctx, result, ids }] });
    return result;
  }

  /**
   * The plugin's `afterCommit`: invalidates the writes not already
   * invalidated in `around`, failed ones included (they may have changed
   * rows before failing, and the transaction committed): by the ids they
   * name, or, for a filter write or an upsert to a cached repository, whose
   * rows are unknown, by clearing the namespace.
   */
  afterCommit(event: TransactionEvent): Promise<void> | undefined {
    // Core fires this after every autocommitted read too: return at once unless a write needs invalidating.
    let pending = false;
    for (const o of event.operations) {
      if (isWrite(o.op.kind) && !o.ctx.state.has(INVALIDATED)) {
        pending = true;
        break;
      }
    }
    if (!pending || !this.rt.invalidator) return undefined;
    const operations = event.operations.filter((o) => isWrite(o.op.kind) && !o.ctx.state.has(INVALIDATED));
    const done = this.rt.invalidator.committed({ ...event, operations });
    // A join repository's writes move its readers' generations, which committed() does: only cached rows can be unknown.
    // A failed write carries the ids it named (core: inserted rows, targeted ids); none means its rows are unknown.
    if (!operations.some((o) => o.failed && o.ids.length === 0 && this.rt.repos.has(o.op.schema.name))) return done;
    return done.then(async () => void (await this.rt.clearAll()));
  }
}

