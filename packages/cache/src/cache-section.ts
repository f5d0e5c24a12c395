import { c, ConfigType, INVALID, jsonSchemaOf, type InferConfig } from '@chatcore/core/config';
import { MAX_TIMER_MS } from '@chatcore/core/plugin';
import type { CacheOptions, RepositoryCacheOptions } from './cache-options.js';
import { concealOptions, NAMESPACE_RE } from './cache-options.js';
import { cacheKeyProblem } from './entry-authenticator.js';
import { redisUrlProblem } from './redis-url.js';

const repositorySettings = c.object({
  ttl: c.duration({ min: 1 }).describedAs('Time to live of this repository\'s entries (default: the section\'s ttl).'),
  grace: c.duration({ min: 0 }).describedAs('Stale-while-revalidate: serve an expired entry this long while one read refreshes it.'),
  tenantScoped: c.boolean().describedAs('Keys include the tenant, so tenants never share entries.'),
  enabled: c.boolean().describedAs('false: do not cache this repository.'),
});
// `users: false` opts a repository out, `users: true` keeps the defaults: both read as { enabled }.
const repositoryEntry = new ConfigType<InferConfig<typeof repositorySettings>>({
  ...repositorySettings.state,
  describe: 'false, true, or a map { ttl, grace, tenant_scoped, enabled }',
  jsonSchema: { anyOf: [{ type: 'boolean' }, jsonSchemaOf(repositorySettings)] },
  read: (value, at) => {
    if (typeof value === 'boolean' || (typeof value === 'string' && at.checker.isFromEnv(at.path))) {
      const enabled = c.boolean().read(value, at);
      return enabled === INVALID ? INVALID : { enabled };
    }
    if (value === null || (typeof value === 'object' && !Array.isArray(value))) return repositorySettings.state.read(value, at);
    at.checker.fail(at.path, `expected false, true or a map { ttl, grace, tenant_scoped, enabled }, got ${at.checker.describe(value, at.path, at.secret)}`);
    return INVALID;
  },
});

/**
 * The `cache` section of chatcore.yaml, owned by `@chatcore/cache`. Every
 * repository is cached; `repositories` overrides one's settings
 * (`users: { ttl: 5m }`) or opts it out (`drafts: false`). Defaults are the
 * plugin's (`cache()` options); an unset key stays unset.
 *
 * @example
 * ```ts
 * import { cacheSection } from '@chatcore/cache';
 * Object.keys(cacheSection.state.shape ?? {}); // ['enabled', 'redisUrl', 'ttl', ..., 'key', ...]
 * ```
 */
export const cacheSection = c.object({
  enabled: c.boolean().default(true).describedAs('false: no cache plugin is built.'),
  redisUrl: c.string({ max: 4096, pattern: /^rediss?:\/\//, patternHint: 'a redis:// or rediss:// URL' }).secret().check(redisUrlProblem)
    .describedAs('Shared tier and invalidation bus; without it the shared tier is an in-memory store in this process. Secret (may hold a password).'),
  ttl: c.duration({ min: 1 }).describedAs('Default time to live (default 60s).'),
  grace: c.duration({ min: 0 }).describedAs('Default stale-while-revalidate window (default 0: off).'),
  maxTtl: c.duration({ min: 1 }).describedAs('Upper bound of every TTL, per-call ones included (default 1h).'),
  localMaxEntries: c.integer({ min: 0 }).describedAs('In-process tier bound in entries (default 10000); 0 turns the in-process tier off.'),
  localMaxBytes: c.size({ min: 0 }).describedAs('In-process tier bound in bytes (default 64MiB); 0 turns the in-process tier off.'),
  key: c.string({ max: 1024 }).secret().check(cacheKeyProblem)
    .describedAs('Secret of 32+ random bytes as text (`openssl rand -base64 32`), the same in every process of a namespace: authenticates shared-tier entries and bus messages. Without it a Redis writer can forge entries (see docs/cache.md, Trust).'),
  namespace: c.string({ max: 100, pattern: NAMESPACE_RE, patternHint: 'letters, digits and : _ . -' })
    .describedAs('Prefix of every Redis key and the bus channel (default chatcore); namespaces never share keys.'),
  redisTimeout: c.duration({ min: 1, max: MAX_TIMER_MS }).describedAs('Timeout of each Redis call (default 150ms).'),
  breaker: c.breaker().describedAs('Circuit breaker over Redis (default { failures: 5, half_open_after: 1s }).'),
  heartbeat: c.duration({ min: 20, max: MAX_TIMER_MS }).describedAs('Bus heartbeat period (default 250ms); the in-process tier stops serving after 3 missed heartbeats.'),
  repositories: c.record(repositoryEntry).describedAs('Per repository: false (not cached), true, or { ttl, grace, tenant_scoped, enabled }. Names must be repositories of the database.'),
});

/**
 * The checked `cache` section, camelCased (durations in ms, sizes in bytes).
 *
 * @example
 * ```ts
 * const section: CacheSection = { enabled: true, ttl: 30_000, repositories: { drafts: { enabled: false } } };
 * ```
 */
export type CacheSection = InferConfig<typeof cacheSection>;

declare module '@chatcore/core/config' {
  interface ConfigSections {
    cache: CacheSection;
  }
}

/**
 * `cache()` options from the checked `cache` section. `localMaxEntries: 0`
 * or `localMaxBytes: 0` turns the in-process tier off (a tier that may hold
 * nothing).
 *
 * @example
 * ```ts
 * cacheOptionsFromConfig({ enabled: true, ttl: 30_000 }); // { enabled: true, ttl: 30000, repositories: {} }
 * ```
 */
export function cacheOptionsFromConfig(section: CacheSection): CacheOptions {
  const repositories: Record<string, RepositoryCacheOptions> = {};
  for (const [name, r] of Object.entries(section.repositories ?? {})) {
    repositories[name] = {
      ...(r.ttl !== undefined ? { ttl: r.ttl } : {}),
      ...(r.grace !== undefined ? { grace: r.grace } : {}),
      ...(r.tenantScoped !== undefined ? { tenantScoped: r.tenantScoped } : {}),
      ...(r.enabled !== undefined ? { enabled: r.enabled } : {}),
    };
  }
  // The URL may hold a password, and the key is secret: the returned options print them as [redacted], as the section does.
  return concealOptions({
    enabled: section.enabled !== false,
    ...(section.redisUrl ? { redisUrl: section.redisUrl } : {}),
    ...(section.key !== undefined ? { key: section.key } : {}),
    ...(section.ttl !== undefined ? { ttl: section.ttl } : {}),
    ...(section.grace !== undefined ? { grace: section.grace } : {}),
    ...(section.maxTtl !== undefined ? { maxTtl: section.maxTtl } : {}),
    ...(section.namespace ? { namespace: section.namespace } : {}),
    ...(section.redisTimeout !== undefined ? { redisTimeout: section.redisTimeout } : {}),
    ...(section.breaker !== undefined ? { breaker: section.breaker } : {}),
    ...(section.heartbeat !== undefined ? { heartbeat: section.heartbeat } : {}),
    ...(section.localMaxEntries === 0 || section.localMaxBytes === 0
      ? { local: false }
      : {
          ...(section.localMaxEntries !== undefined ? { localMaxEntries: section.localMaxEntries } : {}),
          ...(section.localMaxBytes !== undefined ? { localMaxBytes: section.localMaxBytes } : {}),
        }),
    repositories,
  });
}
