/**
 * A read shared by everyone who asks while it runs, and reused for `ttlMs`
 * after it settled: a probe storm (or the dozen metric families of one
 * scrape) costs one health check, not one per request.
 */
export class CachedRead<T> {
  private running: Promise<T> | undefined;
  private settled: { readonly at: number; readonly result: Promise<T> } | undefined;

  constructor(private readonly read: () => Promise<T>, private readonly ttlMs: number) {}

  get(): Promise<T> {
    if (this.running) return this.running;
    if (this.settled && performance.now() - this.settled.at < this.ttlMs) return this.settled.result;
    const result = Promise.resolve().then(this.read);
    this.running = result;
    const done = () => {
      this.settled = { at: performance.now(), result };
      this.running = undefined;
    };
    result.then(done, done);
    return result;
  }
}

/**
 * `promise`, or `fallback()` if it has not settled within `ms` (the timer
 * does not keep the process alive).
 */
export function within<T>(promise: Promise<T>, ms: number, fallback: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback()), ms);
    timer.unref();
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
