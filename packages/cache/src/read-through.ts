import { copyValue, decode, encode, sizeOf } from './codec.js';
import type { CacheCounters } from './cache-counters.js';
import type { CounterFloors } from './counter-floors.js';
import type { EntryCheck } from './entry-checks.js';
import { FORGED, type EntryAuthenticator } from './entry-authenticator.js';
import type { SharedKeys, SharedRead } from './tiers/shared-tier.js';
import { sameMore, tagsOf, type StoredEntry, type Tags } from './stored-entry.js';
import type { CacheTier } from './cache-stats.js';
import type { ResolvedRepository } from './cache-options.js';
import type { Generations } from './generations.js';
import type { InProcessTier } from './tiers/in-process-tier.js';
import type { SharedTier } from './tiers/shared-tier.js';
import { LOCAL_MISS, LOCAL_OFF, LOCAL_STALE, isLocalProbe } from './local-probe.js';

/**
 * One cacheable read: where it lives in each tier and how to load it. Keys
 * of the shared tier are built lazily, only when the in-process tier misses.
 *
 * @example
 * ```ts
 * const spec: ReadSpec = { repo, cfg, ttlMs, localKey, localIdKey: undefined, sharedKeys: () => [entryKey, genKey], load, check: countCheck };
 * ```
 */
export interface ReadSpec {
  readonly repo: string;
  readonly cfg: ResolvedRepository;
  readonly ttlMs: number;
  readonly localKey: string;
  /** `localIdKey(repo, idDigest)` for get entries, so a write to the id deletes them; lazily computed. */
  readonly localIdKey: (() => string) | undefined;
  /**
   * [entry key, counter key, ...further counter keys] in the shared tier. A read whose answer also depends on
   * another repository (a query through a join repository) names that one's counter too: the entry is served
   * only while every counter still has the value it was filled under.
   */
  readonly sharedKeys: () => SharedKeys;
  /** Read below the cache. The value returned is owned by the cache from then on. */
  readonly load: () => Promise<unknown>;
  /** Whether a value from the shared tier can be this read's answer (its id, its filter). */
  readonly check: EntryCheck;
}

/**
 * What the read path needs from the plugin around it.
 *
 * @example
 * ```ts
 * new ReadThrough({ local, shared, counters, generations, auth, floors, onRejected, counterTtlMs, localTrusted: () => true, sharedUsable: () => true, track: () => undefined });
 * ```
 */
export interface ReadDeps {
  readonly local: InProcessTier | undefined;
  readonly shared: SharedTier | undefined;
  readonly counters: CacheCounters;
  /** May the in-process tier serve and fill now (bus up, or no bus)? */
  readonly localTrusted: () => boolean;
  /** May the shared tier be used now (breaker closed, no undelivered invalidations)? */
  readonly sharedUsable: () => boolean;
  /** Bumped whenever this process applies an invalidation: single-flight keys and fill guards read it. */
  readonly generations: Generations;
  /** Track a background promise (fills, refreshes) so close() can wait for it. */
  readonly track: (p: Promise<unknown>) => void;
  /** Seals entries on their way to the shared tier and verifies them on the way back. */
  readonly auth: EntryAuthenticator;
  /** Counter values this process knows were reached: a counter read below is a rollback. */
  readonly floors: CounterFloors;
  /** A shared-tier entry was refused (forged, moved, rolled back, or not an answer to its read). */
  readonly onRejected: (repo: string, reason: string) => void;
  /** How long a counter started by a fill lives (as long as one an invalidation bumps). */
  readonly counterTtlMs: number;
}

/**
 * A value read through the cache and the tier that answered it: `local`,
 * `shared`, or undefined when it was read below the cache (a miss, or a
 * single-flight join of one).
 *
 * @example
 * ```ts
 * const { value, from } = await reads.read(spec, probe); // from: 'local' | 'shared' | undefined
 * ```
 */
export interface Served {
  readonly value: unknown;
  readonly from: CacheTier | undefined;
}

/**
 * The read-through logic for one key: in-process tier, then shared tier,
 * then the database, with single-flight for concurrent misses, optional
 * stale-while-revalidate, and fills guarded by counters captured before the
 * database read. Every value handed to a caller is a fresh copy.
 *
 * @example
 * ```ts
 * const value = await reads.read({ repo: 'users', cfg, ttlMs, localKey, localIdKey, sharedKeys, load: () => next(op).then(r => r.rows[0] ?? null) });
 * ```
 */
export class ReadThrough {
  /** Single-flight: one load per key and generation, shared by concurrent misses. */
  private readonly loads = new Map<string, Promise<Served>>();
  /** Stale-while-revalidate: one background refresh per key. */
  private readonly refreshes = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: ReadDeps) {}

  /**
   * The in-process step, on its own so that the hot path (a get by one id)
   * can take it before building anything else: a fresh entry's value (a
   * copy), or a LocalProbe to hand to `read`, which then neither checks the
   * trust again nor looks the key up again. Counts the hit, miss or bypass.
   */
  probeLocal(repo: string, localKey: string): unknown {
    const local = this.deps.local;
    if (!local) return LOCAL_OFF;
    if (!this.deps.localTrusted()) {
      this.deps.counters.add(repo, 'local', 'bypasses', 1, 'bus-down');
      return LOCAL_OFF;
    }
    const e = local.get(localKey);
    if (e) {
      const now = Date.now();
      if (now < e.freshUntil) {
        this.deps.counters.add(repo, 'local', 'hits');
        return copyValue(e.value);
      }
      if (now < e.staleUntil) return LOCAL_STALE;
    }
    this.deps.counters.add(repo, 'local', 'misses');
    return LOCAL_MISS;
  }

  /** One read; `probe` is what probeLocal already found for `spec.localKey` (probed here when absent). */
  async read(spec: ReadSpec, probe: unknown = this.probeLocal(spec.repo, spec.localKey)): Promise<Served> {
    if (probe === LOCAL_STALE) {
      // Served expired within the grace while one background read refreshes it (looked up again: a rare path).
      const e = this.deps.local!.get(spec.localKey);
      if (e && Date.now() < e.staleUntil) {
        this.deps.counters.add(spec.repo, 'local', 'stale');
        this.refresh(spec);
        return { value: copyValue(e.value), from: 'local' };
      }
      this.deps.counters.add(spec.repo, 'local', 'misses');
      probe = LOCAL_MISS;
    } else if (!isLocalProbe(probe)) return { value: probe, from: 'local' };
    const localOk = probe === LOCAL_MISS;
    // Concurrent misses share one load; a write in between changes the generation and so the flight key.
    const gen = this.deps.generations.current(spec.repo);
    const flightKey = `${spec.localKey}\u0000${gen}`;
    let flight = this.loads.get(flightKey);
    if (!flight) {
      flight = this.load(spec, localOk, gen).finally(() => this.loads.delete(flightKey));
      this.loads.set(flightKey, flight);
    }
    const served = await flight;
    return { value: copyValue(served.value), from: served.from };
  }

  /**
   * Several reads (getMany), one batch to each tier and at most one load for
   * all misses. `from` is the farthest tier that answered when the cache
   * answered every one, undefined when any was read below the cache.
   */
  async readMany(specs: readonly ReadSpec[], loadMissing: (missing: readonly number[]) => Promise<unknown[]>): Promise<{ readonly values: unknown[]; readonly from: CacheTier | undefined }> {
    const { local, shared, counters } = this.deps;
    const out = new Array<unknown>(specs.length);
    const now = Date.now();
    const localOk = local !== undefined && this.deps.localTrusted();
    const repo = specs[0]!.repo;
    const gen = this.deps.generations.current(repo);
    let missing: number[] = [];
    for (const [i, s] of specs.entries()) {
      const e = localOk ? local.get(s.localKey) : undefined;
      if (e && now < e.freshUntil) {
        out[i] = copyValue(e.value);
      } else missing.push(i);
    }
    if (localOk) {
      if (specs.length - missing.length) counters.add(repo, 'local', 'hits', specs.length - missing.length);
      if (missing.length) counters.add(repo, 'local', 'misses', missing.length);
    } else if (local) counters.add(repo, 'local', 'bypasses', missing.length, 'bus-down');
    const tags = new Map<number, Tags | undefined>();
    let from: CacheTier | undefined = missing.length ? 'shared' : 'local';
    if (missing.length && shared) {
      if (this.deps.sharedUsable()) {
        try {
          const reads = await shared.read(missing.map((i) => specs[i]!.sharedKeys()));
          const still: number[] = [];
          for (const [j, i] of missing.entries()) {
            const r = reads[j]!;
            const entry = this.openShared(specs[i]!, r);
            if (entry && now < entry.f) {
              out[i] = copyValue(entry.v);
              this.fillLocal(specs[i]!, entry.v, entry.f, gen, localOk);
            } else {
              still.push(i);
              tags.set(i, tagsOf(r));
            }
          }
          if (missing.length - still.length) counters.add(repo, 'shared', 'hits', missing.length - still.length);
          if (still.length) counters.add(repo, 'shared', 'misses', still.length);
          missing = still;
        } catch {
          counters.add(repo, 'shared', 'errors', 1);
        }
      } else counters.add(repo, 'shared', 'bypasses', missing.length, 'unavailable');
    }
    if (missing.length) {
      from = undefined;
      await this.startCounters(missing, specs, tags);
      const values = await loadMissing(missing);
      for (const [j, i] of missing.entries()) {
        const v = values[j];
        out[i] = copyValue(v);
        await this.fill(specs[i]!, v, tags.get(i), gen, localOk);
      }
    }
    return { values: out, from };
  }

  /**
   * The entry a shared read found, if it may answer `spec`: sealed by a
   * holder of the key for this very key and counter, filled under the
   * current value of each of its counters, none rolled back, and the value an
   * answer to this read. Anything else is a miss; the forged ones are
   * reported too (the database read that follows overwrites them).
   */
  private openShared(spec: ReadSpec, r: SharedRead): StoredEntry | undefined {
    if (r.raw === undefined) return undefined;
    const [key, counterKey] = spec.sharedKeys();
    const text = this.deps.auth.open(key, counterKey, r.raw);
    if (text === undefined) return undefined;
    if (text === FORGED) return this.reject(spec, 'mac');
    let entry: StoredEntry;
    try {
      entry = decode(text) as StoredEntry;
    } catch {
      return this.reject(spec, 'malformed');
    }
    if (typeof entry !== 'object' || entry === null || entry.t !== r.tag || !sameMore(entry.x, r.more)) return undefined;
    if (this.deps.floors.isRollback(counterKey, r.tag) || (r.more && this.isRollback(spec, r.more, 1))) return this.reject(spec, 'rollback');
    const reason = spec.check(entry.v);
    return reason === undefined ? entry : this.reject(spec, reason);
  }

  /** Whether a counter value read is below its known floor; `tags` are those of the spec's counters from `first` on. */
  private isRollback(spec: ReadSpec, tags: Tags, first = 0): boolean {
    const keys = spec.sharedKeys();
    for (let i = 0; i < tags.length; i++) if (this.deps.floors.isRollback(keys[first + i + 1]!, tags[i]!)) return true;
    return false;
  }

  private reject(spec: ReadSpec, reason: string): undefined {
    this.deps.onRejected(spec.repo, reason);
    return undefined;
  }

  /** Below the in-process tier: the shared tier, then the database; `gen` was read before either. */
  private async load(spec: ReadSpec, localOk: boolean, gen: number): Promise<Served> {
    const { shared, counters } = this.deps;
    let read: SharedRead | undefined;
    if (shared) {
      if (this.deps.sharedUsable()) {
        try {
          const [r] = await shared.read([spec.sharedKeys()]);
          read = r!;
          const entry = this.openShared(spec, r!);
          const now = Date.now();
          if (entry) {
            if (now < entry.f) {
              counters.add(spec.repo, 'shared', 'hits');
              this.fillLocal(spec, entry.v, entry.f, gen, localOk);
              return { value: entry.v, from: 'shared' };
            }
            if (now < entry.f + spec.cfg.graceMs) {
              counters.add(spec.repo, 'shared', 'stale');
              this.refresh(spec);
              return { value: entry.v, from: 'shared' };
            }
          }
          counters.add(spec.repo, 'shared', 'misses');
        } catch {
          counters.add(spec.repo, 'shared', 'errors', 1);
        }
      } else counters.add(spec.repo, 'shared', 'bypasses', 1, 'unavailable');
    }
    const tags = await this.startCounter(spec, read && tagsOf(read));
    const value = await spec.load();
    await this.fill(spec, value, tags, gen, localOk);
    return { value, from: undefined };
  }

  /**
   * The read found a counter of the entry missing (0): start it before the
   * database read and fill under the value it starts from. Never under 0: a
   * counter dropped later (clear, restart) reads 0 again and would match.
   * Undefined (no shared fill) when the tier cannot answer.
   */
  private async startCounter(spec: ReadSpec, tags: Tags | undefined): Promise<Tags | undefined> {
    if (!tags?.includes(0)) return tags;
    const all = new Map([[0, tags]]);
    await this.startCounters([0], [spec], all);
    return all.get(0);
  }

  /** startCounter for several reads at once (one call to the tier); `tags` is updated in place. */
  private async startCounters(which: readonly number[], specs: readonly ReadSpec[], tags: Map<number, Tags | undefined>): Promise<void> {
    const keys: string[] = [];
    const at: Array<readonly [read: number, counter: number]> = [];
    for (const i of which) {
      const t = tags.get(i);
      if (!t?.includes(0)) continue;
      const names = specs[i]!.sharedKeys();
      t.forEach((n, j) => {
        if (n === 0) {
          keys.push(names[j + 1]!);
          at.push([i, j]);
        }
      });
    }
    if (!keys.length || !this.deps.shared) return;
    try {
      const values = await this.deps.shared.start(keys, this.deps.counterTtlMs);
      at.forEach(([i, j], k) => {
        const t = [...tags.get(i)!];
        t[j] = values[k]!;
        tags.set(i, t);
      });
    } catch {
      for (const [i] of at) tags.delete(i);
      this.deps.counters.add(specs[at[0]![0]]!.repo, 'shared', 'errors', 1, 'start');
    }
  }

  /** Fill both tiers with a value read from the database under the counters captured before the read. */
  private fill(spec: ReadSpec, value: unknown, tags: Tags | undefined, gen: number, localOk: boolean): Promise<unknown> | undefined {
    const freshUntil = Date.now() + spec.ttlMs;
    this.fillLocal(spec, value, freshUntil, gen, localOk);
    const shared = this.deps.shared;
    if (!shared || tags === undefined) return undefined;
    const [key, counterKey] = spec.sharedKeys();
    // A counter below what we know it reached was set back: an entry under it would never be served.
    if (this.isRollback(spec, tags)) return undefined;
    const entry: StoredEntry = tags.length === 1 ? { t: tags[0]!, f: freshUntil, v: value } : { t: tags[0]!, f: freshUntil, v: value, x: tags.slice(1) };
    let raw: string;
    try {
      raw = this.deps.auth.seal(key, counterKey, encode(entry));
    } catch {
      return undefined;
    }
    const write = shared.write([{ key, raw, ttlMs: spec.ttlMs + spec.cfg.graceMs }]).then(
      () => this.deps.counters.add(spec.repo, 'shared', 'fills'),
      () => this.deps.counters.add(spec.repo, 'shared', 'errors', 1, 'fill'),
    );
    this.deps.track(write);
    // In-process memory writes take microseconds: wait, so the next read in this process sees them.
    return shared.kind === 'memory' ? write : undefined;
  }

  private fillLocal(spec: ReadSpec, value: unknown, freshUntil: number, gen: number, localOk: boolean): void {
    const local = this.deps.local;
    // Trust is checked again: the bus may have gone down while the read was below the cache.
    if (!local || !localOk || !this.deps.localTrusted()) return;
    const entry = { value, repo: spec.repo, idKey: spec.localIdKey?.(), gen, freshUntil, staleUntil: freshUntil + spec.cfg.graceMs };
    if (local.fill(spec.localKey, entry, sizeOf(value) + spec.localKey.length * 2)) this.deps.counters.add(spec.repo, 'local', 'fills');
  }

  /** Stale-while-revalidate: one background load per key; its errors are counted, never thrown. */
  private refresh(spec: ReadSpec): void {
    const key = spec.localKey;
    if (this.refreshes.has(key)) return;
    const p = (async () => {
      const gen = this.deps.generations.current(spec.repo);
      let tags: Tags | undefined;
      if (this.deps.shared && this.deps.sharedUsable()) {
        try {
          tags = tagsOf((await this.deps.shared.read([spec.sharedKeys()]))[0]!);
        } catch {
          this.deps.counters.add(spec.repo, 'shared', 'errors', 1, 'refresh');
        }
      }
      tags = await this.startCounter(spec, tags);
      const value = await spec.load();
      this.fill(spec, value, tags, gen, this.deps.local !== undefined && this.deps.localTrusted());
    })()
      .catch(() => this.deps.counters.add(spec.repo, 'local', 'errors', 1, 'refresh'))
      .finally(() => this.refreshes.delete(key));
    this.refreshes.set(key, p);
    this.deps.track(p);
  }
}
