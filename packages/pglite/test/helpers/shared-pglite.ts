import { defaultTemplateCache, startInMemory } from '../../src/index.js';

/**
 * One PGlite instance per test file, started the way `pglite()` starts one
 * (from the cluster template once it exists). Drivers built on it do not
 * close it; the file closes it at the end.
 */
export const shared = await startInMemory(defaultTemplateCache());

/** Close the shared instance once every suite of the file has run. */
export function closeSharedAfter(delayedUntil: Promise<unknown>): void {
  void delayedUntil.finally(() => shared.close());
}
