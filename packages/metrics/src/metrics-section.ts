import { c, type InferConfig } from '@chatcore/core/config';
import { register } from 'prom-client';
import { bucketsProblem, LABEL_NAME, labelNameProblem, prefixProblem, type MetricsOptions } from './metrics-options.js';

/**
 * The `metrics` section of chatcore.yaml, owned by `@chatcore/metrics`.
 * The plugin built from it registers into a registry of its own
 * (`db.plugin('metrics').registry`), or with `registry: default` into
 * prom-client's default registry (`register`), the one an application
 * serves with `register.metrics()`.
 *
 * @example
 * ```ts
 * import { metricsSection } from '@chatcore/metrics';
 * Object.keys(metricsSection.state.shape ?? {}); // ['enabled', 'registry', 'prefix', 'defaultLabels', 'buckets', 'openTelemetry', 'activeSpan', 'requireParentSpan']
 * ```
 */
export const metricsSection = c.object({
  enabled: c.boolean().default(true).describedAs('false: no metrics plugin is built.'),
  registry: c.enum(['own', 'default']).default('own')
    .describedAs("own: a registry of the plugin's own (db.plugin('metrics').registry); default: prom-client's default registry (register), shared with the application's metrics."),
  prefix: c.string({ min: 0, max: 64 }).check((p) => { const problem = prefixProblem(p); return problem && `the prefix ${problem}`; }).describedAs('Prefix of every metric name (default chatcore_).'),
  defaultLabels: c.record(c.string({ min: 0, max: 256 }), {
    key: { pattern: LABEL_NAME, hint: "a Prometheus label name: letters, digits and '_', not starting with a digit", problem: labelNameProblem },
  }).describedAs('Labels added to every series of the plugin (not to the registry\'s other metrics), e.g. { service: chatbot }; names are Prometheus label names, values strings.'),
  buckets: c.list(c.number()).check((b) => bucketsProblem(b)).describedAs('Latency histogram bucket bounds in seconds, ascending.'),
  openTelemetry: c.boolean().describedAs('true (default): emit OpenTelemetry spans and metrics when the application registered an SDK; false: never.'),
  activeSpan: c.boolean().describedAs("true: make each call's span active while it runs, so spans made below it (an instrumented pg or ioredis client) are its children; false (default): they are children of the caller's span."),
  requireParentSpan: c.boolean().describedAs("true: make a call's span only inside a caller's span (an instrumented request), none for calls outside any trace; false (default): a span for every call."),
});

/**
 * The checked `metrics` section, camelCased.
 *
 * @example
 * ```ts
 * import type { MetricsSection } from '@chatcore/metrics';
 * const section: MetricsSection = { enabled: true, registry: 'own', prefix: 'chatbot_', defaultLabels: { service: 'chatbot' } };
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
 * metricsOptionsFromConfig({ enabled: true, registry: 'own', prefix: 'chatbot_' }); // { prefix: 'chatbot_' }
 * ```
 */
export function metricsOptionsFromConfig(section: MetricsSection): MetricsOptions {
  return {
    ...(section.registry === 'default' ? { registry: register } : {}),
    ...(section.prefix !== undefined ? { prefix: section.prefix } : {}),
    ...(section.defaultLabels !== undefined ? { defaultLabels: section.defaultLabels } : {}),
    ...(section.buckets !== undefined ? { buckets: section.buckets } : {}),
    ...(section.openTelemetry === false ? { openTelemetry: false as const } : {}),
    ...(section.activeSpan !== undefined ? { activeSpan: section.activeSpan } : {}),
    ...(section.requireParentSpan !== undefined ? { requireParentSpan: section.requireParentSpan } : {}),
  };
}
