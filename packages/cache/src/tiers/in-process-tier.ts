import { LRUCache } from 'lru-cache';

/**
 * One in-process entry.
 *
 * @example
 * ```ts
 * const e: InProcessEntry = { value: row, repo: 'users', idKey: 'users\u0000k3J0', gen: 4, freshUntil, staleUntil: freshUntil };
 * ```
 */
export interface InProcessEntry {
  readonly value: unknown;
  readonly repo: string;
  /** `repo\0idDigest` for get entries (so a write to the id drops them); undefined for query entries. */
  readonly idKey: string | undefined;
  /** The repository's local generation when the read that filled this entry started (query entries). */
  readonly gen: number;
  readonly freshUntil: number;
  readonly staleUntil: number;
}

/**
 * The in-process tier: an LRU bounded by entries and bytes, with an index
 * from ids to their entries and a generation per repository. Any write to a
 * repository (ours, or another process's through the bus) bumps its
 * generation: query entries of an older generation are dead, get entries of
 * the written ids are deleted, and fills of reads that started before the
 * bump are refused.
 *
 * @example
 * ```ts
 * const local = new InProcessTier({ maxEntries: 10_000, maxBytes: 64 << 20, onEvict: (repo) => stats.add(repo, 'local', 'evictions') });
 * ```
 */
export class InProcessTier {
  private readonly lru: LRUCache<string, InProcessEntry>;
  private readonly gens = new Map<string, number>();
  /** Bumped by clear(): part of every generation, so a clear refuses every fill in flight. */
  private base = 0;
  private readonly ids = new Map<string, Set<string>>();

  constructor(options: { maxEntries: number; maxBytes: number; onEvict: (repo: string) => void }) {
    this.lru = new LRUCache<string, InProcessEntry>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      dispose: (entry, key, reason) => {
        if (reason === 'set') return;
        if (entry.idKey) {
          const set = this.ids.get(entry.idKey);
          if (set) {
            set.delete(key);
            if (set.size === 0) this.ids.delete(entry.idKey);
          }
        }
        if (reason === 'evict') options.onEvict(entry.repo);
      },
    });
  }

  /** The repository's current generation; capture it before reading below the cache. */
  gen(repo: string): number {
    return this.base + (this.gens.get(repo) ?? 0);
  }

  /** A live entry, or undefined. Query entries of an older generation count as absent. */
  get(key: string): InProcessEntry | undefined {
    const e = this.lru.get(key);
    if (!e) return undefined;
    if (e.idKey === undefined && e.gen !== this.gen(e.repo)) {
      this.lru.delete(key);
      return undefined;
    }
    return e;
  }

  /** Store an entry if no write to its repository happened since `gen` was captured. */
  fill(key: string, entry: InProcessEntry, size: number): boolean {
    if (this.gen(entry.repo) !== entry.gen) return false;
    const ttl = Math.max(1, entry.staleUntil - Date.now());
    this.lru.set(key, entry, { size: Math.max(1, size), ttl });
    // lru-cache silently refuses an entry larger than its byte bound.
    if (!this.lru.has(key)) return false;
    if (entry.idKey) {
      let set = this.ids.get(entry.idKey);
      if (!set) this.ids.set(entry.idKey, (set = new Set()));
      set.add(key);
    }
    return true;
  }

  /** A write to `repo` touched these ids (digests): drop their entries and every query entry of the repository. */
  invalidate(repo: string, idDigests: readonly string[]): void {
    this.gens.set(repo, (this.gens.get(repo) ?? 0) + 1);
    for (const d of idDigests) {
      const set = this.ids.get(`${repo}\u0000${d}`);
      if (!set) continue;
      for (const key of [...set]) this.lru.delete(key);
    }
  }

  /** Drop everything (bus reconnection, admin clear) and refuse fills of reads in flight. */
  clear(): void {
    this.base++;
    this.lru.clear();
    this.ids.clear();
  }

  get size(): number {
    return this.lru.size;
  }

  get bytes(): number {
    return this.lru.calculatedSize;
  }
}
