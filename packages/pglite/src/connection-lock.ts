/**
 * A FIFO lock over PGlite's single connection. A transaction holds it from
 * BEGIN to COMMIT; a lone statement holds it for one round trip. Without it,
 * a statement from elsewhere would run inside someone else's transaction.
 *
 * @example
 * ```ts
 * const lock = new ConnectionLock();
 * await lock.acquire(); // at once when free, else in arrival order
 * try { await client.query('select 1'); } finally { lock.release(); }
 * ```
 */
export class ConnectionLock {
  private locked = false;
  private readonly waiters: Array<() => void> = [];

  /** Resolves when the caller holds the lock (immediately when it is free). */
  acquire(): Promise<void> | undefined {
    if (!this.locked) {
      this.locked = true;
      return undefined;
    }
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }

  /** Statements and transactions waiting for the connection. */
  get waiting(): number {
    return this.waiters.length;
  }
}
