import { Keyv } from 'keyv';
import { LRUCache } from 'lru-cache';
import type { SharedKeys, SharedRead, SharedTier } from './shared-tier.js';

/**
 * Counters for the in-memory tier, bounded: each increment takes the next
 * value of one global sequence, and a forgotten (evicted) counter reads as the
 * largest value ever evicted. A counter therefore never returns to a value it
 * had, so an entry it killed stays dead.
 */
class BoundedCounters {
  private readonly values = new Map<string, number>();
  private seq = 0;
  private floor = 0;

  constructor(private readonly max: number) {}

  get(key: string): number {
    return this.values.get(key) ?? this.floor;
  }

  bump(key: string): number {
    const value = ++this.seq;
    this.values.delete(key);
    this.values.set(key, value);
    if (this.values.size > this.max) {
      const [oldest, evicted] = this.values.entries().next().value as [string, number];
      this.values.delete(oldest);
      if (evicted > this.floor) this.floor = evicted;
    }
    return value;
  }

  clear(): void {
    this.floor = ++this.seq;
    this.values.clear();
  }
}

/**
 * The shared tier when no Redis is configured: keyv over a bounded in-memory
 * store, with the same entry/counter contract as RedisSharedTier, so the read
 * and invalidation paths do not change. It lives in this process only. (The
 * in-process tier, InProcessTier, is the LRU in front of either shared tier.)
 *
 * @example
 * ```ts
 * const tier = new MemorySharedTier({ maxEntries: 100_000 });
 * ```
 */
export class MemorySharedTier implements SharedTier {
  readonly kind = 'memory' as const;
  private readonly keyv: Keyv<string>;
  private readonly counters: BoundedCounters;
  private readonly store: LRUCache<string, string>;

  constructor(options: { maxEntries: number }) {
    this.store = new LRUCache<string, string>({ max: options.maxEntries });
    const lru = this.store;
    // keyv calls set(key, value, ttl); lru-cache wants options as the third argument.
    const adapter = {
      get: (k: string) => lru.get(k),
      set: (k: string, v: string, ttl?: number) => { lru.set(k, v, ttl ? { ttl } : {}); return true; },
      delete: (k: string) => lru.delete(k),
      clear: () => lru.clear(),
      has: (k: string) => lru.has(k),
    };
    this.keyv = new Keyv<string>({ store: adapter as unknown as Map<string, string>, useKeyPrefix: false, throwOnErrors: true });
    this.keyv.on('error', () => undefined);
    this.counters = new BoundedCounters(options.maxEntries);
  }

  async read(reads: readonly SharedKeys[]): Promise<SharedRead[]> {
    const raws = reads.length === 1 ? [await this.keyv.get(reads[0]![0])] : await this.keyv.getMany(reads.map((p) => p[0]));
    return reads.map((p, i) => {
      const read = { raw: raws[i] ?? undefined, tag: this.counters.get(p[1]) };
      return p.length === 2 ? read : { ...read, more: p.slice(2).map((k) => this.counters.get(k)) };
    });
  }

  async write(entries: ReadonlyArray<{ key: string; raw: string; ttlMs: number }>): Promise<void> {
    for (const e of entries) await this.keyv.set(e.key, e.raw, e.ttlMs);
  }

  async bump(counterKeys: readonly string[]): Promise<number[]> {
    return counterKeys.map((k) => this.counters.bump(k));
  }

  async start(counterKeys: readonly string[]): Promise<number[]> {
    // A missing counter reads as the floor, which a clear raises: 0 cannot come back here.
    return counterKeys.map((k) => this.counters.get(k));
  }

  async clear(pattern: string): Promise<number> {
    const prefix = pattern.replace(/\*$/, '');
    let n = 0;
    for (const k of [...this.store.keys()]) if (k.startsWith(prefix)) { this.store.delete(k); n++; }
    this.counters.clear();
    return n;
  }

  async close(): Promise<void> {
    this.store.clear();
  }
}
