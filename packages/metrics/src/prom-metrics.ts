import { ConfigError } from '@chatcore/core';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { DurationHistogram } from './duration-histogram.js';

/** What this package registers: prom-client's counters and gauges, and its own histogram collector. */
type AnyMetric = Counter<string> | Gauge<string> | DurationHistogram;

/** A metric's `get()` result, as far as the registry reads it. */
interface Collected {
  readonly values: ReadonlyArray<{ readonly labels: Readonly<Record<string, string | number>> }>;
}

/**
 * The metrics one plugin registered, so that `close()` can take them out of
 * a shared registry again (a database re-created with the same registry
 * must not collide with the closed one's names). Every metric goes through
 * `add`, where the default labels are put on its series.
 */
export class RegisteredMetrics {
  private readonly names: string[] = [];

  constructor(readonly registry: Registry, readonly prefix: string, private readonly defaultLabels: Readonly<Record<string, string>> = {}) {}

  counter(name: string, help: string, labelNames: readonly string[], collect?: (this: Counter<string>) => void | Promise<void>): Counter<string> {
    return this.add(name, () => new Counter({ name: this.prefix + name, help, labelNames, registers: [this.registry], ...(collect ? { collect } : {}) }));
  }

  gauge(name: string, help: string, labelNames: readonly string[], collect?: (this: Gauge<string>) => void | Promise<void>): Gauge<string> {
    return this.add(name, () => new Gauge({ name: this.prefix + name, help, labelNames, registers: [this.registry], ...(collect ? { collect } : {}) }));
  }

  /**
   * A gauge without labels whose value may be absent (the part of the stack
   * it reads is missing): no sample then, rather than the `0` prom-client
   * keeps for a label-less gauge after `reset()`.
   */
  optionalGauge(name: string, help: string, read: () => number | undefined): Gauge<string> {
    return this.add(name, () => {
      let present = false;
      const gauge = new Gauge({
        name: this.prefix + name,
        help,
        labelNames: [],
        registers: [this.registry],
        collect(this: Gauge<string>) {
          const value = read();
          present = value !== undefined;
          if (present) this.set(value!);
        },
      });
      const get = gauge.get.bind(gauge);
      // Configurable: the default labels wrap get() again (label()).
      Object.defineProperty(gauge, 'get', {
        configurable: true,
        value: async () => {
          const collected = await get();
          return present ? collected : { ...collected, values: [] };
        },
      });
      return gauge;
    });
  }

  /** A metric of this package's own that prom-client's registry can read (see DurationHistogram). */
  collector(name: string, make: (fullName: string) => DurationHistogram): DurationHistogram {
    return this.add(name, () => {
      const metric = make(this.prefix + name);
      // registerMetric is typed for prom-client's own classes; it stores the object by name and reads get()/reset().
      this.registry.registerMetric(metric as unknown as Counter<string>);
      return metric;
    });
  }

  /** Remove every metric this instance registered. */
  unregister(): void {
    for (const name of this.names.splice(0)) this.registry.removeSingleMetric(name);
  }

  private add<M extends AnyMetric>(name: string, make: () => M): M {
    const full = this.prefix + name;
    if (this.registry.getSingleMetric(full)) {
      this.unregister();
      throw new ConfigError(
        `metrics: the registry already has a metric named ${full} (another database's metrics plugin?). ` +
          'Give each database its own prefix or registry, or close the other database first.',
      );
    }
    const metric = make();
    this.names.push(full);
    if (Object.keys(this.defaultLabels).length) this.label(metric);
    return metric;
  }

  /**
   * Put the default labels on every series the registry reads from
   * `metric`. Per metric rather than `registry.setDefaultLabels()`, which
   * would also label the application's metrics in a shared registry.
   */
  private label(metric: AnyMetric): void {
    const extra = this.defaultLabels;
    const get = metric.get.bind(metric) as () => Promise<Collected>;
    Object.defineProperty(metric, 'get', {
      value: async () => {
        const collected = await get();
        return { ...collected, values: collected.values.map((v) => ({ ...v, labels: { ...extra, ...v.labels } })) };
      },
    });
  }
}
