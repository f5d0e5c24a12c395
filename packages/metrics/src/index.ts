export { metrics, type MetricsPlugin } from './metrics-plugin.js';
export { DEFAULT_BUCKETS, type MetricsOptions } from './metrics-options.js';
export { outcomeOf, type Outcome } from './outcome.js';
export { dbSystem } from './db-system.js';
export {
  healthEndpoints, type HealthEndpoints, type HealthEndpointsOptions, type HealthResponse, type FastifyLike, type FastifyReplyLike,
} from './health-endpoints.js';
export { metricsSection, metricsOptionsFromConfig, type MetricsSection } from './section-registration.js';
