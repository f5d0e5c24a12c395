import { ConfigError } from '@chatcore/core';
import { booleanOption, checkOptionKeys, optionKeys } from '@chatcore/core/plugin';
import { Registry } from 'prom-client';

/**
 * Options of `metrics()`.
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * const options: MetricsOptions = { registry: new Registry(), prefix: 'app_db_', requireParentSpan: true };
 * ```
 */
export interface MetricsOptions {
  /** Plugin name (default 'metrics'). */
  readonly name?: string;
  /**
   * The prom-client registry to register into (default: a registry of this
   * plugin's own, `plugin.registry`). Pass the application's registry to
   * serve everything from one `/metrics`.
   */
  readonly registry?: Registry;
  /** Prefix of every metric name (default `chatcore_`). */
  readonly prefix?: string;
  /**
   * Labels added to every series this plugin exports to Prometheus (e.g.
   * `{ service: 'chatbot', region: 'eu' }`), in the registry given or its
   * own, leaving the registry's other metrics alone. Names are Prometheus
   * label names other than the plugin's own (`labelNameProblem`); values
   * are fixed strings. OTel metrics do not carry them: put such attributes
   * on the SDK's resource.
   */
  readonly defaultLabels?: Readonly<Record<string, string>>;
  /** Upper bounds of the latency histogram's buckets, in seconds, ascending (default `DEFAULT_BUCKETS`). */
  readonly buckets?: readonly number[];
  /**
   * `'auto'` (default): emit spans and OTel metrics when the application
   * registered an OpenTelemetry SDK (global tracer/meter provider) before
   * `db.connect()`; `false`: never, even then.
   */
  readonly openTelemetry?: 'auto' | false;
  /**
   * With an SDK: make each call's span the active span while the call runs,
   * so spans made below it (an instrumented `pg` or `ioredis` client, a
   * plugin listed after this one) become its children (default false:
   * they are children of the caller's span, siblings of the call's span).
   * Costs an AsyncLocalStorage context switch per call.
   */
  readonly activeSpan?: boolean;
  /**
   * With an SDK: make a span only for a call made inside a caller's span
   * (an instrumented request), none for calls outside any trace, such as
   * jobs and scripts (default false). The OTel meter still records every
   * call; the option has the name and meaning it has in the OpenTelemetry
   * instrumentations.
   */
  readonly requireParentSpan?: boolean;
}

/**
 * Latency buckets in seconds, from an in-process cache hit (well under
 * 0.5 ms) to a slow query or a breaker wait (seconds).
 *
 * @example
 * ```ts
 * metrics({ buckets: [...DEFAULT_BUCKETS, 30] });
 * ```
 */
export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

/** Options after defaults and checks. */
export interface ResolvedMetricsOptions {
  readonly name: string;
  readonly registry: Registry;
  readonly prefix: string;
  readonly defaultLabels: Readonly<Record<string, string>>;
  readonly buckets: readonly number[];
  readonly openTelemetry: boolean;
  readonly activeSpan: boolean;
  readonly requireParentSpan: boolean;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * What is wrong with a metric name prefix, or undefined. `metrics()` and the
 * `metrics` section of chatcore.yaml both check with it.
 *
 * @example
 * ```ts
 * prefixProblem('app-db'); // 'is not a valid Prometheus metric name start; ...'
 * ```
 */
export function prefixProblem(prefix: unknown): string | undefined {
  if (typeof prefix === 'string' && (prefix === '' || METRIC_NAME.test(prefix))) return undefined;
  return "is not a valid Prometheus metric name start; use letters, digits, '_' and ':' (e.g. 'chatcore_')";
}

/** The form of a Prometheus label name. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Labels the plugin's own series carry: a default label of the same name would clash with them. */
const OWN_LABELS: ReadonlySet<string> = new Set(['repository', 'operation', 'outcome', 'le', 'quantile', 'component', 'server', 'tier', 'plugin']);

/**
 * What is wrong with a default label name, or undefined. `metrics()` and
 * the `metrics` section of chatcore.yaml both check with it.
 *
 * @example
 * ```ts
 * labelNameProblem('service');   // undefined
 * labelNameProblem('app-name');  // 'is not a Prometheus label name; ...'
 * labelNameProblem('operation'); // 'is a label of the plugin\'s own series; ...'
 * ```
 */
export function labelNameProblem(name: string): string | undefined {
  if (!LABEL_NAME.test(name)) return "is not a Prometheus label name; use letters, digits and '_', not starting with a digit (e.g. 'service')";
  if (name.startsWith('__')) return "starts with '__', which Prometheus reserves for its own labels";
  if (OWN_LABELS.has(name)) return `is a label of the plugin's own series; choose another name (the plugin's own: ${[...OWN_LABELS].join(', ')})`;
  return undefined;
}

/**
 * What is wrong with histogram buckets, or undefined. Shared by `metrics()`
 * and the `metrics` section.
 *
 * @example
 * ```ts
 * bucketsProblem([1, 0.5]); // 'buckets must be positive ... in ascending order ...'
 * ```
 */
export function bucketsProblem(buckets: unknown): string | undefined {
  if (Array.isArray(buckets) && buckets.length > 0 && buckets.every((b, i) => typeof b === 'number' && Number.isFinite(b) && b > 0 && (i === 0 || b > buckets[i - 1]!))) return undefined;
  return 'buckets must be positive, finite numbers of seconds in ascending order, e.g. [0.001, 0.01, 0.1, 1]';
}

const METRICS_OPTION_KEYS = optionKeys<MetricsOptions>({
  name: true, registry: true, prefix: true, defaultLabels: true, buckets: true, openTelemetry: true, activeSpan: true, requireParentSpan: true,
});

/** Apply defaults and reject what prom-client would refuse later, with the fix in the message. */
export function resolveMetricsOptions(options: MetricsOptions): ResolvedMetricsOptions {
  checkOptionKeys(options, 'metrics', METRICS_OPTION_KEYS);
  const prefix = options.prefix ?? 'chatcore_';
  const badPrefix = prefixProblem(prefix);
  if (badPrefix) throw new ConfigError(`metrics: prefix ${JSON.stringify(prefix)} ${badPrefix}.`);
  const buckets = options.buckets ?? DEFAULT_BUCKETS;
  const badBuckets = bucketsProblem(buckets);
  if (badBuckets) throw new ConfigError(`metrics: ${badBuckets}.`);
  const openTelemetry = options.openTelemetry ?? 'auto';
  if (openTelemetry !== 'auto' && openTelemetry !== false) {
    throw new ConfigError(`metrics: openTelemetry must be 'auto' or false (got ${JSON.stringify(openTelemetry)}).`);
  }
  const activeSpan = booleanOption(options.activeSpan, 'metrics.activeSpan') ?? false;
  const requireParentSpan = booleanOption(options.requireParentSpan, 'metrics.requireParentSpan') ?? false;
  const defaultLabels = checkedLabels(options.defaultLabels);
  // Duck-typed: the application's prom-client may be another copy than ours.
  if (options.registry !== undefined && (typeof options.registry?.registerMetric !== 'function' || typeof options.registry?.metrics !== 'function')) {
    throw new ConfigError('metrics: registry must be a prom-client Registry (import { Registry } from \'prom-client\').');
  }
  return {
    name: options.name ?? 'metrics',
    registry: options.registry ?? new Registry(),
    prefix,
    defaultLabels,
    buckets: Object.freeze([...buckets]),
    openTelemetry: openTelemetry === 'auto',
    activeSpan,
    requireParentSpan,
  };
}

function checkedLabels(labels: MetricsOptions['defaultLabels']): Readonly<Record<string, string>> {
  if (labels === undefined) return Object.freeze({});
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    throw new ConfigError('metrics: defaultLabels must be a map of label names to strings, e.g. { service: \'chatbot\' }.');
  }
  const problems = Object.entries(labels).flatMap(([name, value]) => {
    const problem = labelNameProblem(name) ?? (typeof value === 'string' ? undefined : `has a ${typeof value} value; label values are strings`);
    return problem ? [{ path: `defaultLabels.${name}`, message: `${JSON.stringify(name)} ${problem}` }] : [];
  });
  if (problems.length) throw new ConfigError(`metrics: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}.`, { problems });
  return Object.freeze({ ...labels });
}
