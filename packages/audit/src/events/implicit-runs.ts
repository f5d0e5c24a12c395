import { familyOf, type OperationContext, type TransactionEvent } from '@chatcore/core/plugin';
import type { AuditEventBody } from './audit-event.js';
import type { EventBuilder } from './event-builder.js';

/**
 * A failure of a run in an implicit transaction, recorded once that transaction is over.
 *
 * @example
 * ```ts
 * const held: HeldFailure = { ctx, body: builder.inCall(ctx, durationMs, undefined, error), error };
 * ```
 */
export interface HeldFailure {
  readonly ctx: OperationContext;
  readonly body: AuditEventBody;
  readonly error: unknown;
}

const HELD = Symbol('audit.heldFailure');

/**
 * Keep the failure of a run in an implicit transaction until that
 * transaction ends: core may run the call again (the backend retries the
 * attempt, or a size refusal makes core run the write alone), and then that
 * run's outcome is the call's. Returns false outside an implicit transaction
 * (record the failure now).
 *
 * @example
 * ```ts
 * if (!holdFailure({ ctx, body, error })) await emit(body);
 * ```
 */
export function holdFailure(failure: HeldFailure): boolean {
  if (!failure.ctx.transaction?.implicit) return false;
  failure.ctx.state.set(HELD, failure);
  return true;
}

/**
 * The failures to record when an implicit transaction rolled back: none
 * when another run of the call follows (`retried`, `rerun`); otherwise the
 * held failure of each run, or, for a write that went through and then did
 * not commit (the commit failed), an error event with the rollback's error.
 * When a run failed, the writes that went through beside it are the ones
 * core made for that call (onDelete cascades, on SQL before the database
 * refuses a restricted delete): rolled back with it, they are not recorded,
 * as on the backends that refuse before running them.
 *
 * @example
 * ```ts
 * for (const f of failedCalls(event, builder)) await emit(f.body);
 * ```
 */
export function failedCalls(event: TransactionEvent, builder: EventBuilder): HeldFailure[] {
  const out: HeldFailure[] = [];
  if (!event.implicit) return out;
  const runFailed = event.operations.some((c) => c.failed && c.ctx.transaction?.implicit && c.ctx.state.has(HELD));
  for (const c of event.operations) {
    if (!c.ctx.transaction?.implicit) continue;
    const held = c.ctx.state.get(HELD) as HeldFailure | undefined;
    c.ctx.state.delete(HELD);
    if (event.retried || event.rerun) continue;
    if (held) out.push(held);
    else if (!runFailed && !c.failed && familyOf(c.op.kind) !== 'read') {
      out.push({ ctx: c.ctx, body: builder.inCall(c.ctx, performance.now() - c.ctx.startedAtHr, undefined, event.error), error: event.error });
    }
  }
  return out;
}
