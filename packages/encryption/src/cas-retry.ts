import { setTimeout as sleep } from 'node:timers/promises';

/** Attempts always made, however slow each one is. */
const MIN_ATTEMPTS = 8;
/** Past the minimum, retries stop once this much time has gone by since the first attempt. */
const BUDGET_MS = 60_000;
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
 * again in lockstep. The loop gives up (the caller raises ConflictError)
 * only after at least 8 attempts and 60 s: a safety net against a guard
 * that can never match, not a limit a burst reaches (20 writers of one
 * document take about 13 s on the Firestore emulator, whose transactions
 * back off by seconds under contention). A call whose timeout or signal
 * fires stops at its next operation, which the runtime refuses.
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
 * }
 * throw new ConflictError(repository, id, undefined);
 * ```
 */
export class CasRetry {
  #attempts = 0;
  #started = 0;

  /** Whether to make another attempt: true at once for the first; later, after a jittered backoff, until the budget is spent. */
  async again(): Promise<boolean> {
    const attempt = this.#attempts++;
    if (attempt === 0) {
      this.#started = performance.now();
      return true;
    }
    if (attempt >= MIN_ATTEMPTS && performance.now() - this.#started >= BUDGET_MS) return false;
    await sleep(Math.random() * Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (attempt - 1)));
    return true;
  }
}
