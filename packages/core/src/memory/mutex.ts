/**
 * A FIFO lock: `run` waits for every earlier holder to finish. The memory
 * driver holds it for the whole of a transaction, so transactions never
 * interleave their writes.
 *
 * @example
 * ```ts
 * const lock = new Mutex();
 * await lock.run(async () => { ... });
 * ```
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await previous;
      return await fn();
    } finally {
      release();
    }
  }
}
