import { ambientContext, type AmbientContext } from '@chatcore/core/driver';

/**
 * Whose writes a reader must see: `context` (the ambient `db.withContext`
 * scope, e.g. one request) or `actor` (every request of the same actor).
 *
 * @example
 * ```ts
 * const clock = new WriteClock(2000, 'actor' satisfies ReadYourWritesScope);
 * ```
 */
export type ReadYourWritesScope = 'context' | 'actor';

/**
 * Remembers when the current caller last wrote, so that a driver with read
 * replicas can send that caller's reads to the primary for a while
 * (read-your-writes). The caller is the ambient context of
 * `db.withContext()` (or its actor); writes made outside any context count
 * for every reader outside a context, which is the safe choice.
 *
 * @example
 * ```ts
 * const clock = new WriteClock(1000);
 * clock.noteWrite();
 * clock.mustReadPrimary(); // true for one second, in this context
 * ```
 */
export class WriteClock {
  private readonly byContext = new WeakMap<AmbientContext, number>();
  private readonly byActor = new Map<string, number>();
  private outside = 0;

  constructor(readonly windowMs: number, readonly scope: ReadYourWritesScope = 'context') {}

  /** Record a write by the current caller. */
  noteWrite(now = Date.now()): void {
    if (this.windowMs <= 0) return;
    const ctx = ambientContext();
    if (this.scope === 'actor' && ctx?.actor !== undefined) {
      this.byActor.set(ctx.actor, now);
      if (this.byActor.size > 10_000) this.prune(now);
    } else if (ctx) {
      this.byContext.set(ctx, now);
    } else {
      this.outside = now;
    }
  }

  /** Whether the current caller wrote within the window. */
  mustReadPrimary(now = Date.now()): boolean {
    if (this.windowMs <= 0) return false;
    const ctx = ambientContext();
    let at: number | undefined;
    if (this.scope === 'actor' && ctx?.actor !== undefined) at = this.byActor.get(ctx.actor);
    else at = ctx ? this.byContext.get(ctx) : this.outside;
    return at !== undefined && now - at < this.windowMs;
  }

  private prune(now: number): void {
    for (const [actor, at] of this.byActor) if (now - at >= this.windowMs) this.byActor.delete(actor);
  }
}
