import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Timestamp, type DocumentReference, type Firestore, type Transaction } from '@google-cloud/firestore';
import { MigrationError } from '@chatcore/core';

/** The lease document: `chatcore_migration_lease/lease`. */
const COLLECTION = 'chatcore_migration_lease';

/**
 * The migration lock on Firestore: one lease document that names its
 * holder and when it expires. A runner takes it when it is absent or
 * expired, renews it every third of its life while it works, and deletes it
 * when done; a runner that dies leaves it to expire, and the next one takes
 * over. Expiry compares the runners' clocks (keep them in sync). Writes of
 * the holder check the lease in their transaction (`assertHeld`), so a
 * runner that lost it (paused past expiry) cannot record progress.
 *
 * @example
 * ```ts
 * const lease = new MigrationLease(() => driver.firestore, 30_000);
 * await lease.hold(async () => console.log('only one runner is here'));
 * ```
 */
export class MigrationLease {
  private owner: string | undefined;
  private lost: string | undefined;

  constructor(private readonly db: () => Firestore, private readonly ttlMs: number) {}

  private get ref(): DocumentReference {
    return this.db().collection(COLLECTION).doc('lease');
  }

  /** Run `fn` while holding the lease; waits while another runner holds an unexpired one. */
  async hold<T>(fn: () => Promise<T>): Promise<T> {
    const owner = `${hostname()}:${process.pid}:${randomUUID()}`;
    const poll = Math.min(500, Math.floor(this.ttlMs / 4));
    while (!(await this.tryTake(owner))) await new Promise((r) => setTimeout(r, poll));
    this.owner = owner;
    this.lost = undefined;
    const timer = setInterval(() => void this.renew(owner), Math.floor(this.ttlMs / 3));
    timer.unref();
    try {
      return await fn();
    } finally {
      clearInterval(timer);
      this.owner = undefined;
      await this.db().runTransaction(async (t) => {
        const snap = await t.get(this.ref);
        if (snap.exists && snap.get('owner') === owner) t.delete(this.ref);
      }).catch(() => undefined); // it expires anyway
    }
  }

  /**
   * Inside a transaction that records migration state: fail unless this
   * runner still holds the lease (no-op when called outside `hold`).
   */
  async assertHeld(t: Transaction): Promise<void> {
    const owner = this.owner;
    if (owner === undefined) return;
    const snap = await t.get(this.ref);
    const holder = snap.exists ? String(snap.get('owner')) : undefined;
    if (this.lost || holder !== owner) {
      throw new MigrationError(`This runner lost the migration lease (${this.lost ?? `now held by ${holder ?? 'nobody'}`}); another runner may be applying migrations. Run migrate again: it resumes where the progress stands.`, { info: { owner, holder } });
    }
  }

  private async tryTake(owner: string): Promise<boolean> {
    // A plain read first: waiting runners do not contend with the holder's renewals.
    const seen = await this.ref.get();
    if (seen.exists && (seen.get('expiresAt') as Timestamp).toMillis() > Date.now()) return false;
    return this.db().runTransaction(async (t) => {
      const snap = await t.get(this.ref);
      const expires = snap.exists ? (snap.get('expiresAt') as Timestamp).toMillis() : 0;
      if (snap.exists && expires > Date.now() && snap.get('owner') !== owner) return false;
      t.set(this.ref, { owner, expiresAt: Timestamp.fromMillis(Date.now() + this.ttlMs), takenAt: Timestamp.now() });
      return true;
    });
  }

  private async renew(owner: string): Promise<void> {
    try {
      await this.db().runTransaction(async (t) => {
        const snap = await t.get(this.ref);
        if (!snap.exists || snap.get('owner') !== owner) {
          this.lost = 'it expired and was taken over before it could be renewed';
          return;
        }
        t.update(this.ref, { expiresAt: Timestamp.fromMillis(Date.now() + this.ttlMs) });
      });
    } catch {
      // A failed renewal is retried at the next tick; the lease lasts three ticks.
    }
  }
}
