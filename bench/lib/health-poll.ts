/**
 * Poll `db.health()` every `everyMs`, as a load balancer would, for the
 * length of a benchmark; `stop()` ends the polling and says how many probes
 * ran and how many were not `up`.
 *
 * @example
 * ```ts
 * const poll = pollHealth(db, 250);
 * // ... the timed rounds ...
 * const { checks, notUp } = poll.stop();
 * ```
 */
export function pollHealth(db: { health(): Promise<{ status: string }> }, everyMs: number): { stop(): { checks: number; notUp: number } } {
  let checks = 0;
  let notUp = 0;
  const timer = setInterval(() => {
    void db.health().then((h) => {
      checks++;
      if (h.status !== 'up') notUp++;
    });
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return { checks, notUp };
    },
  };
}
