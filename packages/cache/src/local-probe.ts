/**
 * What `probeLocal` found when it did not answer with a value: the
 * in-process tier is off or not trusted now (bus down), it has no live
 * entry, or only an expired one still within its grace.
 *
 * @example
 * ```ts
 * const probe = reads.probeLocal('users', key); if (isLocalProbe(probe)) return reads.read(spec, probe);
 * ```
 */
export type LocalProbe = typeof LOCAL_OFF | typeof LOCAL_MISS | typeof LOCAL_STALE;
/**
 * The in-process tier is off for the repository, or not trusted now.
 *
 * @example
 * ```ts
 * if (probe === LOCAL_OFF) counters.bypass();
 * ```
 */
export const LOCAL_OFF: unique symbol = Symbol('cache.localOff');
/**
 * The in-process tier has no live entry for the key.
 *
 * @example
 * ```ts
 * const localOk = probe === LOCAL_MISS; // a fill may write the in-process tier
 * ```
 */
export const LOCAL_MISS: unique symbol = Symbol('cache.localMiss');
/**
 * The in-process tier holds only an expired entry still within its grace.
 *
 * @example
 * ```ts
 * if (probe === LOCAL_STALE) refreshInBackground();
 * ```
 */
export const LOCAL_STALE: unique symbol = Symbol('cache.localStale');

/**
 * Whether `probeLocal` returned a probe result rather than a cached value.
 *
 * @example
 * ```ts
 * const v = reads.probeLocal('users', key); if (!isLocalProbe(v)) return v; // a fresh in-process hit
 * ```
 */
export function isLocalProbe(v: unknown): v is LocalProbe {
  // Cached values are rows, null, numbers or arrays: never a symbol.
  return typeof v === 'symbol';
}
