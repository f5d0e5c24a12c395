export { cache, CachePlugin } from './cache-plugin.js';
export { cacheSection, cacheOptionsFromConfig, type CacheSection } from './section-registration.js';
export type { CacheOptions, RepositoryCacheOptions } from './cache-options.js';
export type { CacheStats, CacheStatsSnapshot, CacheMetricEvent, CacheMetric, CacheTier, TierCounters } from './cache-stats.js';
export { encode, decode, copyValue } from './codec.js';
export { canonicalQuery, canonicalCondition, schemaHash } from './cache-keys.js';
