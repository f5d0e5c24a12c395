/**
 * The shared tier as the read path sees it: entries (opaque strings) stored
 * beside counters (per-id epochs and per-repository generations). An entry
 * records the counter value read before the database read that produced it;
 * it is served only while the counter still has that value, so a write that
 * bumps the counter kills every entry filled before it, including fills that
 * land after the write (the fill-race guard).
 *
 * Every method throws when the tier is unreachable; the read path then goes
 * to the database.
 *
 * @example
 * ```ts
 * const [{ raw, tag }] = await tier.read([[entryKey, epochKey]]);
 * ```
 */
export interface SharedTier {
  readonly kind: 'memory' | 'redis';
  /**
   * Each entry with the current value of its counter (0 when the counter does not exist), and of the further
   * counters it depends on when the keys name some (a query through a join repository: its generation).
   */
  read(keys: readonly SharedKeys[]): Promise<SharedRead[]>;
  /** Store entries with a TTL in ms. */
  write(entries: ReadonlyArray<{ readonly key: string; readonly raw: string; readonly ttlMs: number }>): Promise<void>;
  /**
   * Increment counters; each keeps living `ttlMs` after its last increment. Resolves to their new values, in order.
   * `direct`: past the circuit breaker (replaying invalidations after an outage).
   */
  bump(counterKeys: readonly string[], ttlMs: number, direct?: boolean): Promise<number[]>;
  /**
   * The counters' current values, creating the missing ones (each then lives `ttlMs`). A fill whose read
   * found a counter missing (0) starts it before reading the database, so that its entry carries a value
   * the counter really had: an entry under 0 could match again once a clear or a restart drops the counter.
   */
  start(counterKeys: readonly string[], ttlMs: number): Promise<number[]>;
  /** Delete every key matching the namespace pattern (admin only: SCAN on Redis). Returns how many. */
  clear(pattern: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * The keys of one shared read: the entry, the counter it is checked against,
 * then any further counters it depends on (each in its own hash slot; a
 * plain get or query names none, and its read stays one command per slot).
 *
 * @example
 * ```ts
 * const keys: SharedKeys = [entryKey, keys.generation('tags'), keys.generation('conversation_tags')];
 * ```
 */
export type SharedKeys = readonly [entryKey: string, counterKey: string, ...dependsOn: string[]];

/**
 * An entry (undefined when absent), its counter's current value, and the
 * values of the further counters the read named (`more`, absent when none).
 *
 * @example
 * ```ts
 * const r: SharedRead = { raw: undefined, tag: 0 };
 * ```
 */
export interface SharedRead {
  readonly raw: string | undefined;
  readonly tag: number;
  readonly more?: readonly number[];
}
