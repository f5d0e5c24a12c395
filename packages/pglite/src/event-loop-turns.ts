/**
 * How long (ms) PGlite may run statement after statement without the event
 * loop turning: a caller's timer (a timeout, an `AbortSignal.timeout`)
 * fires at most this late (plus one statement). A turn on every statement
 * would cost about 5 µs of CPU each, a few percent of a cheap statement.
 */
export const TURN_MS = 5;

/**
 * PGlite answers a statement through promises alone, without a turn of the
 * event loop: one holder running statement after statement (a transaction
 * looping over thousands of rows) would keep every timer and every I/O
 * waiting until it is done, its own caller's timeout included. `pace()`
 * lets the loop turn (setImmediate) once `TURN_MS` have passed since the
 * last turn; otherwise it returns undefined and costs nothing.
 *
 * @example
 * ```ts
 * const turns = new EventLoopTurns();
 * for (const st of statements) {
 *   const turn = turns.pace();
 *   if (turn) await turn;
 *   await pg.query(st.sql, st.parameters);
 * }
 * ```
 */
export class EventLoopTurns {
  private last = performance.now();

  /** A promise resolved on the next turn when one is due, else undefined. */
  pace(): Promise<void> | undefined {
    if (performance.now() - this.last < TURN_MS) return undefined;
    return new Promise<void>((resolve) => setImmediate(() => {
      this.last = performance.now();
      resolve();
    }));
  }
}
