import { c, type InferConfig } from '@chatcore/core/config';
import { bucketsProblem, prefixProblem, type MetricsOptions } from './metrics-options.js';

/**
 * The `metrics` section of chatcore.yaml, owned by `@chatcore/metrics`.
 * The plugin built from it registers into a registry of its own
 * (`db.plugin('metrics').registry`); pass `metrics({ registry })` in code to
 * use the application's.
 *
 * @example
 * ```ts
 * import { metricsSection } from '@chatcore/metrics';
 * Object.keys(metricsSection.state.shape ?? {}); // ['enabled', 'prefix', 'buckets', 'openTelemetry']
 * ```
 */
export const metricsSection = c.object({
  enabled: c.boolean().default(true).describedAs('false: no metrics plugin is built.'),
  prefix: c.string({ min: 0, max: 64 }).check((p) => { const problem = prefixProblem(p); return problem && `the prefix ${problem}`; }).describedAs('Prefix of every metric name (default chatcore_).'),
  buckets: c.list(c.number()).check((b) => bucketsProblem(b)).describedAs('Latency histogram bucket bounds in seconds, ascending.'),
  openTelemetry: c.boolean().describedAs('true (default): emit OpenTelemetry spans and metrics when the application registered an SDK; false: never.'),
});

/**
 * The checked `metrics` section, camelCased.
 *
 * @example
 * ```ts
 * import type { MetricsSection } from '@chatcore/metrics';
 * const section: MetricsSection = { enabled: true, prefix: 'chatbot_' };
 * ```
 */
export type MetricsSection = InferConfig<typeof metricsSection>;

declare module '@chatcore/core/config' {
  interface ConfigSections {
    metrics: MetricsSection;
  }
}

/**
 * `metrics()` options from the checked `metrics` section.
 *
 * @example
 * ```ts
 * import { metricsOptionsFromConfig } from '@chatcore/metrics';
 * metricsOptionsFromConfig({ enabled: true, prefix: 'chatbot_' }); // { prefix: 'chatbot_' }
 * ```
 */
export function metricsOptionsFromConfig(section: MetricsSection): MetricsOptions {
  return {
    ...(section.prefix !== undefined ? { prefix: section.prefix } : {}),
    ...(section.buckets !== undefined ? { buckets: section.buckets } : {}),
    ...(section.openTelemetry === false ? { openTelemetry: false as const } : {}),
  };
}
