import type { WriteClock } from './write-clock.js';
import type { PoolTarget } from './pool-target.js';

/**
 * Chooses the server for a read outside a transaction: the replicas in
 * turn, skipping one whose breaker is open, and the primary when there is
 * no replica, when every replica is refusing, or when the caller wrote
 * within the read-your-writes window (WriteClock).
 *
 * @example
 * ```ts
 * const primary = new PoolTarget('primary', createPool(config), undefined);
 * const replica = new PoolTarget('replica 1', createPool({ url: process.env.DATABASE_REPLICA_URL }), undefined);
 * const router = new ReplicaRouter(primary, [replica], undefined); // undefined: no read-your-writes window
 * router.readTarget(); // the replica; the primary while every replica's breaker refuses
 * ```
 */
export class ReplicaRouter {
  private next = 0;

  constructor(readonly primary: PoolTarget, readonly replicas: readonly PoolTarget[], readonly clock: WriteClock | undefined) {}

  /** The server for the next read. */
  readTarget(): PoolTarget {
    const n = this.replicas.length;
    if (n === 0 || this.clock?.mustReadPrimary()) return this.primary;
    for (let i = 0; i < n; i++) {
      const candidate = this.replicas[this.next++ % n]!;
      if (!candidate.breaker?.refusing) return candidate;
    }
    return this.primary;
  }

  /** The server for a retry: the primary, whichever server failed (a failed replica may be lagging or gone). */
  retryTarget(): PoolTarget {
    return this.primary;
  }

  /** Record a successful write by the current caller. */
  noteWrite(): void {
    this.clock?.noteWrite();
  }
}
