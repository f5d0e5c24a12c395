import type { CacheSection } from '@chatcore/core/config';
import { concealOptions, type CacheOptions, type RepositoryCacheOptions } from './cache-options.js';
import { CachePlugin } from './cache-plugin.js';

/**
 * Map the checked `cache` section of a chatcore.yaml (core's `CacheSection`,
 * already camelCased, durations in ms) to `cache()` options. `enabled: false`
 * gives a plugin that passes everything through; `localMaxEntries: 0` or
 * `localMaxBytes: 0` turns the in-process tier off (a tier that may hold
 * nothing).
 *
 * @example
 * ```ts
 * await createDatabaseFromConfig({ config: 'chatcore.yaml', repositories, pluginFactories: { cache: cacheFromConfig } });
 * ```
 */
export function cacheOptionsFromConfig(section: CacheSection): CacheOptions {
  const repositories: Record<string, RepositoryCacheOptions> = {};
  for (const [name, r] of Object.entries(section.repositories ?? {})) {
    repositories[name] = { ...(r.ttl !== undefined ? { ttl: r.ttl } : {}), ...(r.enabled !== undefined ? { enabled: r.enabled } : {}) };
  }
  // The URL may hold a password: the returned options print it as [redacted], as the section does.
  return concealOptions({
    enabled: section.enabled !== false,
    ...(section.redisUrl ? { redisUrl: section.redisUrl } : {}),
    ...(section.ttl !== undefined ? { ttl: section.ttl } : {}),
    ...(section.namespace ? { namespace: section.namespace } : {}),
    ...(section.localMaxEntries === 0 || section.localMaxBytes === 0
      ? { local: false }
      : {
          ...(section.localMaxEntries !== undefined ? { localMaxEntries: section.localMaxEntries } : {}),
          ...(section.localMaxBytes !== undefined ? { localMaxBytes: section.localMaxBytes } : {}),
        }),
    repositories,
  });
}

/**
 * The plugin factory for `createDatabaseFromConfig`: `cacheFromConfig(section)`.
 *
 * @example
 * ```ts
 * const pluginFactories = { cache: cacheFromConfig };
 * ```
 */
export function cacheFromConfig(section: CacheSection): CachePlugin {
  return new CachePlugin(cacheOptionsFromConfig(section));
}
