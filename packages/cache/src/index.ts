export { cache, CachePlugin } from './cache-plugin.js';
export { cacheSection, cacheOptionsFromConfig, type CacheSection } from './section-registration.js';
export type { CacheOptions, RepositoryCacheOptions, CacheRedisOptions } from './cache-options.js';
export type { CacheKeyInput } from './entry-authenticator.js';
export type { CacheStats, CacheStatsSnapshot, CacheMetricEvent, CacheMetric, CacheTier, TierCounters } from './cache-stats.js';
export { encode, decode } from './codec.js';
export { canonicalQuery, canonicalCondition, schemaHash } from './cache-keys.js';
