/**
 * The generation of each repository in this process, bumped whenever the
 * process applies an invalidation (its own committed write, a bus message, a
 * clear). The one counter behind two guards: single-flight keys include it,
 * so a read that starts after a write never joins one that started before;
 * and the in-process tier refuses a fill, and ignores a query entry, from an
 * older generation. A value only grows: a clear bumps a base that is part of
 * every repository's generation.
 *
 * @example
 * ```ts
 * const gen = generations.current('users'); // before reading below the cache
 * generations.bump('users');                // a committed write
 * generations.current('users') !== gen;     // true: the read's fill is refused
 * ```
 */
export class Generations {
  private readonly byRepo = new Map<string, number>();
  private base = 0;

  current(repo: string): number {
    return this.base + (this.byRepo.get(repo) ?? 0);
  }

  bump(repo: string): void {
    this.byRepo.set(repo, (this.byRepo.get(repo) ?? 0) + 1);
  }

  /** Every repository at once (a clear, a bus reconnection). */
  bumpAll(): void {
    this.base++;
  }
}
