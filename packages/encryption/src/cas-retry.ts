import { setTimeout as sleep } from 'node:timers/promises';

/** Lost attempts in a row that found the record unchanged after which the loop gives up. */
const MAX_STALLED = 8;
/** The backoff before the second attempt is drawn below this; it doubles per attempt up to MAX_DELAY_MS. */
const FIRST_DELAY_MS = 2;
const MAX_DELAY_MS = 100;

/**
 * The pacing of a compare-and-swap loop (read, compute, write guarded by
 * what was read) of a write the caller did not pin to a version. A lost
 * race is not a conflict for such a write: the winner changed the record,
 * and the next attempt reads that. Each failed attempt means another write
 * went through, so a burst drains; the losers wait a random delay (full
 * jitter, growing exponentially up to 100 ms) so that they do not collide
 * again in lockstep.
 *
 * The loop gives up (the caller raises ConflictError) only when the guard
 * cannot match: 8 lost attempts in a row that each read the record in the
 * same state (`lost(state)`), so no other write got through in between.
 * That does not depend on how long the attempts take: a burst on a slow or
 * busy machine (20 writers of one document take about 13 s on an idle
 * Firestore emulator, whose transactions back off by seconds under
 * contention, and several times that on a loaded one) drains as it would
 * on a fast one. A call whose timeout or signal fires stops at its next
 * operation, which the runtime refuses.
 *
 * Retrying was chosen over locking the row (`SELECT ... FOR UPDATE`): the
 * plugin sees single operations, so a lock would need a transaction of its
 * own around every write (a pooled connection held across the read, and all
 * writes in turn on PGlite's single connection), memory and Firestore have
 * no such lock, and a lock held in process could deadlock against a
 * caller's transaction that already holds the row.
 *
 * A write with an expected version still fails at once on a real conflict:
 * its target requires that version, so the re-read finds no row.
 *
 * @example
 * ```ts
 * for (const retry = new CasRetry(); await retry.again(); ) {
 *   const current = await read();
 *   if (await writeIfUnchanged(current)) return;
 *   retry.lost(current.version);
 * }
 * throw new ConflictError(repository, id, undefined);
 * ```
 */
export class CasRetry {
  #attempts = 0;
  #stalled = 0;
  #lastState: readonly unknown[] = [];

  /** Whether to make another attempt: true at once for the first; later, after a jittered backoff, until the guard is seen stuck. */
  async again(): Promise<boolean> {
    const attempt = this.#attempts++;
    if (attempt === 0) return true;
    if (this.#stalled >= MAX_STALLED) return false;
    await sleep(Math.random() * Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (attempt - 1)));
    return true;
  }

  /**
   * Records a lost attempt and the state of the record it read (what its
   * guard compared: the version, the authenticator, the envelope, or the id
   * an upsert found). The same state as the attempt before means nobody
   * else wrote in between: the guard missed for another reason.
   */
  lost(...state: unknown[]): void {
    this.#stalled = this.#stalled > 0 && sameState(state, this.#lastState) ? this.#stalled + 1 : 1;
    this.#lastState = state;
  }
}

/** The states compared hold versions, authenticators, envelopes and ids: strings, numbers, bigints or null. */
function sameState(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}
