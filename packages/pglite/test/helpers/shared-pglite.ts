import { PGlite } from '@electric-sql/pglite';

/**
 * One PGlite instance per test file (starting one takes about two seconds).
 * Drivers built on it do not close it; the file closes it at the end.
 */
export const shared = await PGlite.create();

/** Close the shared instance once every suite of the file has run. */
export function closeSharedAfter(delayedUntil: Promise<unknown>): void {
  void delayedUntil.finally(() => shared.close());
}
