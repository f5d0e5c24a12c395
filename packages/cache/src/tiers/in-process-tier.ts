import { LRUCache } from 'lru-cache';
import type { Generations } from '../generations.js';

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
  /** `localIdKey(repo, idDigest)` for get entries (so a write to the id drops them); undefined for query entries. */
  readonly idKey: string | undefined;
  /** The repository's generation when the read that filled this entry started. */
  readonly gen: number;
  readonly freshUntil: number;
  readonly staleUntil: number;
}

/**
 * The key under which the tier indexes the get entries of one id
 * (`InProcessEntry.idKey`): a write to that id finds and drops them by it.
 *
 * @example
 * ```ts
 * localIdKey('users', idDigest('users', id)); // 'users\u0000k3J0...'
 * ```
 */
export function localIdKey(repo: string, idDigest: string): string {
  return `${repo}\u0000${idDigest}`;
}

/**
 * The in-process tier (`local` in options and stats): an LRU bounded by
 * entries and bytes, in front of the shared tier, with an index from ids to
 * their entries. It reads the repositories' generations (bumped by the
 * Invalidator on every write it applies, ours or another process's): query
 * entries of an older generation are dead, get entries of the written ids
 * are deleted, and fills of reads that started before the bump are refused.
 *
 * @example
 * ```ts
 * const local = new InProcessTier({ maxEntries: 10_000, maxBytes: 64 << 20, generations, onEvict: (repo) => counters.add(repo, 'local', 'evictions') });
 * ```
 */
export class InProcessTier {
  private readonly lru: LRUCache<string, InProcessEntry>;
  private readonly ids = new Map<string, Set<string>>();
  private readonly generations: Generations;

  constructor(options: { maxEntries: number; maxBytes: number; generations: Generations; onEvict: (repo: string) => void }) {
    this.generations = options.generations;
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

  /** A live entry, or undefined. Query entries of an older generation count as absent. */
  get(key: string): InProcessEntry | undefined {
    const e = this.lru.get(key);
    if (!e) return undefined;
    if (e.idKey === undefined && e.gen !== this.generations.current(e.repo)) {
      this.lru.delete(key);
      return undefined;
    }
    return e;
  }

  /** Store an entry if no write to its repository happened since `gen` was captured. */
  fill(key: string, entry: InProcessEntry, size: number): boolean {
    if (this.generations.current(entry.repo) !== entry.gen) return false;
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

  /** A write to `repo` touched these ids (digests): drop their entries (its query entries died with the generation bump). */
  invalidate(repo: string, idDigests: readonly string[]): void {
    for (const d of idDigests) {
      const set = this.ids.get(localIdKey(repo, d));
      if (!set) continue;
      for (const key of [...set]) this.lru.delete(key);
    }
  }

  /** Drop everything (bus reconnection, admin clear; the generations were bumped, so fills in flight are refused). */
  clear(): void {
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
