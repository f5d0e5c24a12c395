import { CachePlugin } from './cache-plugin.js';
import type { CacheOptions } from './cache-options.js';

/**
 * Create the cache plugin. Put it innermost (last) in the plugin list, below
 * encryption, so that it only ever sees ciphertext. It caches every
 * repository of the database (not the ones plugins own); `repositories`, or
 * `plugins: { cache: ... }` in a repository's definition, override the
 * settings of one or opt it out with `false`.
 *
 * @example
 * ```ts
 * import { cache } from '@chatcore/cache';
 * const db = createDatabase({
 *   driver, repositories: { users, messages, drafts },
 *   plugins: [audit(), encryption({ rootKey }), cache({ redisUrl: process.env.REDIS_URL, repositories: { users: { ttl: '5m' }, drafts: false } })],
 * });
 * ```
 */
export function cache(options: CacheOptions = {}): CachePlugin {
  return new CachePlugin(options);
}
