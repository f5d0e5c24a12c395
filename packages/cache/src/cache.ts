import { CachePlugin } from './cache-plugin.js';
import type { CacheOptions } from './cache-options.js';

/**
 * Create the cache plugin. Put it innermost (last) in the plugin list, below
 * encryption, so that it only ever sees ciphertext. Repositories opt in, here
 * or with `plugins: { cache: {...} }` in their definition.
 *
 * @example
 * ```ts
 * import { cache } from '@chatcore/cache';
 * const db = createDatabase({
 *   driver, repositories: { users, messages },
 *   plugins: [audit(), encryption({ rootKey }), cache({ redisUrl: process.env.REDIS_URL, repositories: { users: { ttl: '5m' }, messages: true } })],
 * });
 * ```
 */
export function cache(options: CacheOptions = {}): CachePlugin {
  return new CachePlugin(options);
}
