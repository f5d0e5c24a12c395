import { registerSection } from '@chatcore/core/config';
import { cacheOptionsFromConfig, cacheSection } from './cache-section.js';
import { CachePlugin } from './cache-plugin.js';

// Importing @chatcore/cache makes the `cache` section of chatcore.yaml known:
// innermost of the standard plugins (rank 40), next to the driver.
registerSection({
  name: 'cache',
  package: '@chatcore/cache',
  schema: cacheSection,
  rank: 40,
  build: (section) => (section.enabled === false ? undefined : new CachePlugin(cacheOptionsFromConfig(section))),
});

export { cacheSection, cacheOptionsFromConfig, type CacheSection } from './cache-section.js';
