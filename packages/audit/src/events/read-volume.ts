/**
 * Counts records read per actor in fixed windows and says once per window
 * when an actor passes the limit (an "unusual bulk read" anomaly). Memory is
 * bounded by the actors active in one window.
 *
 * @example
 * ```ts
 * const rv = new ReadVolume(1000, 60_000);
 * if (rv.record('user:42', rows.length)) report('anomaly');
 * ```
 */
export class ReadVolume {
  private windowStart = 0;
  private readonly counts = new Map<string, number>();
  private readonly flagged = new Set<string>();

  constructor(readonly limit: number, readonly windowMs: number) {}

  /** Add `n` records read by `actor`; true the first time the actor exceeds the limit in this window. */
  record(actor: string, n: number, now = Date.now()): { exceeded: true; total: number } | undefined {
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.counts.clear();
      this.flagged.clear();
    }
    const total = (this.counts.get(actor) ?? 0) + n;
    this.counts.set(actor, total);
    if (total > this.limit && !this.flagged.has(actor)) {
      this.flagged.add(actor);
      return { exceeded: true, total };
    }
    return undefined;
  }
}
