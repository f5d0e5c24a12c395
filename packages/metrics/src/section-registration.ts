import { registerSection } from '@chatcore/core/config';
import { metricsOptionsFromConfig, metricsSection } from './metrics-section.js';
import { metrics } from './metrics-plugin.js';

// Importing @chatcore/metrics makes the `metrics` section of chatcore.yaml
// known: outermost (rank 10), so it measures every call as the caller sees it.
registerSection({
  name: 'metrics',
  package: '@chatcore/metrics',
  schema: metricsSection,
  rank: 10,
  build: (section) => (section.enabled === false ? undefined : metrics(metricsOptionsFromConfig(section))),
});

export { metricsSection, metricsOptionsFromConfig, type MetricsSection } from './metrics-section.js';
