import type { TransactionEvent } from '@chatcore/core/plugin';
import { idDigest, type KeyNames } from './cache-keys.js';
import type { CacheCounters } from './cache-counters.js';
import type { CounterFloors } from './counter-floors.js';
import type { Generations } from './generations.js';
import type { InvalidationBus } from './invalidation-bus.js';
import type { InProcessTier } from './tiers/in-process-tier.js';
import type { SharedTier } from './tiers/shared-tier.js';
import { isWrite } from './write-invalidation.js';

/** Beyond this many undelivered ids, recovery clears the namespace instead of replaying them one by one. */
const MAX_PENDING_IDS = 50_000;

/**
 * Applies committed writes to the cache: the in-process tier at once, then
 * the shared tier (INCR of the written ids' epochs and the repository's
 * generation) and the bus. What cannot reach Redis is kept and replayed when
 * it returns; until then the shared tier is not read (its entries may predate
 * our writes).
 *
 * @example
 * ```ts
 * await invalidator.committed(event); // from afterCommit
 * ```
 */
export class Invalidator {
  private readonly pending = new Map<string, Set<string>>();
  private needsClear = false;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly deps: {
      readonly keys: KeyNames;
      readonly generations: Generations;
      readonly local: InProcessTier | undefined;
      readonly shared: SharedTier | undefined;
      readonly bus: InvalidationBus | undefined;
      readonly counters: CacheCounters;
      readonly floors: CounterFloors;
      readonly cached: (repo: string) => boolean;
      /** The cached repositories whose queries read through `repo` (a join repository): its writes move their generations. */
      readonly readers: (repo: string) => readonly string[];
      readonly counterTtlMs: number;
      readonly clearShared: () => Promise<void>;
    },
  ) {}

  /** Apply an invalidation to this process: the repository's generation (whether or not the in-process tier is on), then the in-process tier. */
  applyLocally(repo: string, idDigests: readonly string[]): void {
    this.deps.generations.bump(repo);
    this.deps.local?.invalidate(repo, idDigests);
  }

  /** Everything changed (clear, bus reconnection): counters in Redis may also have started over, so their floors go too. */
  applyAll(): void {
    this.deps.generations.bumpAll();
    this.deps.local?.clear();
    this.deps.floors.clear();
  }

  /** Undelivered invalidations (ids and repositories). */
  get pendingCount(): number {
    let n = this.needsClear ? 1 : 0;
    for (const s of this.pending.values()) n += Math.max(1, s.size);
    return n;
  }

  /** Whether the shared tier reflects every write of this process. */
  get delivered(): boolean {
    return this.pending.size === 0 && !this.needsClear && !this.flushing;
  }

  async committed(event: TransactionEvent): Promise<void> {
    const byRepo = new Map<string, Set<string>>();
    for (const c of event.operations) {
      if (!isWrite(c.op.kind)) continue;
      const repo = c.op.schema.name;
      // Repositories reading through this one keep no entry per id of it: their queries (generation) go.
      for (const reader of this.deps.readers(repo)) if (!byRepo.has(reader)) byRepo.set(reader, new Set());
      if (!this.deps.cached(repo)) continue;
      let set = byRepo.get(repo);
      if (!set) byRepo.set(repo, (set = new Set()));
      for (const id of c.ids) set.add(idDigest(repo, id));
    }
    if (byRepo.size === 0) return;
    for (const [repo, ids] of byRepo) this.applyLocally(repo, [...ids]);
    await this.deliver(byRepo);
    // A read that fetched the old shared entry between our local drop and the INCR may have refilled the local tier.
    for (const [repo, ids] of byRepo) this.applyLocally(repo, [...ids]);
  }

  /**
   * Apply a message from another process: its ids, and the counter values its INCRs returned (`epochs` aligned
   * with `ids`). A write to a join repository also kills our in-process queries through it: the writer may not
   * know they exist (it need not declare the relation).
   */
  received(repo: string, ids: readonly string[], epochs?: readonly number[], generation?: number): void {
    this.applyLocally(repo, ids);
    for (const reader of this.deps.readers(repo)) this.applyLocally(reader, []);
    const { floors, keys } = this.deps;
    if (Array.isArray(epochs) && epochs.length === ids.length) ids.forEach((d, i) => floors.raise(keys.epoch(repo, d), epochs[i]!));
    if (typeof generation === 'number') floors.raise(keys.generation(repo), generation);
  }

  private async deliver(byRepo: Map<string, Set<string>>): Promise<void> {
    const { shared, bus } = this.deps;
    if (!shared && !bus) return;
    if (!this.delivered) {
      this.queue(byRepo);
      this.replaySoon();
      return;
    }
    try {
      await this.send(byRepo);
    } catch {
      for (const repo of byRepo.keys()) this.deps.counters.add(repo, 'shared', 'errors', 1, 'invalidate');
      this.queue(byRepo);
      this.replaySoon();
    }
  }

  /**
   * Replay what is pending now, past the breaker, and keep the 25 ms retry
   * timer as a fallback. A write that could not be sent the normal way (the
   * breaker is open or half-open, or an earlier one is still queued) is never
   * left for a timer tick: right after an outage the breaker stays open for a
   * probe period while Redis already answers, and every tick waited is a tick
   * other processes serve the overwritten value. The writer does not wait.
   */
  private replaySoon(): void {
    this.schedule();
    void this.flush();
  }

  /**
   * INCR the counters, then publish with the values they reached. A replay
   * (`direct`: past the breaker, after an outage) sends both at once, without
   * values: a command sent to a frozen Redis runs when it resumes, so other
   * processes hear the replay at that moment rather than one retry later.
   */
  private async send(byRepo: Map<string, Set<string>>, direct = false): Promise<void> {
    const { shared, bus, keys, floors } = this.deps;
    const counters: string[] = [];
    for (const [repo, ids] of byRepo) {
      for (const d of ids) counters.push(keys.epoch(repo, d));
      counters.push(keys.generation(repo));
    }
    const raise = (values: number[]) => counters.forEach((k, i) => floors.raise(k, values[i]!));
    if (direct) {
      const [values] = await Promise.all([
        shared ? shared.bump(counters, this.deps.counterTtlMs, true) : undefined,
        bus ? Promise.all([...byRepo].map(([repo, ids]) => bus.publish({ repo, ids: [...ids] }, true))) : undefined,
      ]);
      if (values) raise(values);
      return;
    }
    let values: number[] | undefined;
    if (shared) {
      values = await shared.bump(counters, this.deps.counterTtlMs);
      // What we just made the counters reach: an entry under a lower value is a replay.
      raise(values);
    }
    if (!bus) return;
    let at = 0;
    await Promise.all([...byRepo].map(([repo, ids]) => {
      const list = [...ids];
      const epochs = values?.slice(at, at + list.length);
      const generation = values?.[at + list.length];
      at += list.length + 1;
      return bus.publish(values ? { repo, ids: list, epochs, generation } : { repo, ids: list });
    }));
  }

  private queue(byRepo: Map<string, Set<string>>): void {
    let total = 0;
    for (const [repo, ids] of byRepo) {
      let set = this.pending.get(repo);
      if (!set) this.pending.set(repo, (set = new Set()));
      for (const d of ids) set.add(d);
    }
    for (const s of this.pending.values()) total += s.size;
    if (total > MAX_PENDING_IDS) {
      this.pending.clear();
      this.needsClear = true;
    }
  }

  private schedule(): void {
    if (this.timer) return;
    // Every 25 ms, past the breaker: other processes serve what these invalidations kill until they land.
    this.timer = setInterval(() => void this.flush(), 25);
    this.timer.unref();
  }

  /** Try to deliver what is pending (also called when the breaker closes and when the connection is ready again). */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.delivered) {
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      return Promise.resolve();
    }
    const batch = new Map(this.pending);
    this.pending.clear();
    let ok = false;
    this.flushing = (async () => {
      try {
        if (this.needsClear) {
          await this.deps.clearShared();
          this.needsClear = false;
        }
        if (batch.size) await this.send(batch, true);
        // Our in-process tier may have been filled from shared entries that predate the replay.
        for (const [repo, ids] of batch) this.applyLocally(repo, [...ids]);
        ok = true;
      } catch {
        // Still down: keep everything for the next attempt (the timer's).
        this.queue(batch);
      } finally {
        this.flushing = undefined;
      }
    })();
    // Redis answered: what was written meanwhile goes at once, not a timer tick later.
    return this.flushing.then(() => (ok && !this.delivered ? this.flush() : undefined));
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
