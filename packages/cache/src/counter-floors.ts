import { LRUCache } from 'lru-cache';

/**
 * The lowest value each shared-tier counter may have, as this process
 * knows it: the value an INCR of its own returned, or the one another
 * process announced on the bus with its invalidation. Redis cannot be
 * trusted to keep counters monotonic (anyone who can write to it can set
 * an epoch back and put an old entry beside it), but this process can: a
 * counter read below its floor is a rollback, and the entry is not served.
 *
 * A floor lives as long as an entry filled under an older counter value
 * can (the longest TTL plus grace), always less than the counter itself
 * lives in Redis, so a counter that expired there and starts again from 0
 * is never mistaken for a rollback. Floors are forgotten when the bus loses
 * messages (reconnection, Redis restart: counters may really start over)
 * and on an admin clear.
 *
 * @example
 * ```ts
 * const floors = new CounterFloors({ ttlMs: 3_600_000, maxEntries: 100_000 });
 * floors.raise('app:{users}:gen', 7);
 * floors.isRollback('app:{users}:gen', 6); // true
 * ```
 */
export class CounterFloors {
  private readonly lru: LRUCache<string, number>;

  constructor(options: { ttlMs: number; maxEntries: number }) {
    this.lru = new LRUCache<string, number>({ max: options.maxEntries, ttl: options.ttlMs, ttlAutopurge: false });
  }

  /** A counter was bumped to `value` (by us or, per the bus, by another process). */
  raise(counterKey: string, value: number): void {
    if (!Number.isSafeInteger(value)) return;
    const old = this.lru.get(counterKey);
    if (old === undefined || value > old) this.lru.set(counterKey, value);
  }

  /** Whether a counter value read from Redis is below what this process knows it reached. */
  isRollback(counterKey: string, value: number): boolean {
    if (this.lru.size === 0) return false;
    const floor = this.lru.get(counterKey);
    return floor !== undefined && value < floor;
  }

  clear(): void {
    this.lru.clear();
  }
}
