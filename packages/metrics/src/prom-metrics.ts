import { ConfigError } from '@chatcore/core';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Anything prom-client can register (the three kinds this package makes). */
type AnyMetric = Counter<string> | Gauge<string> | Histogram<string>;

/**
 * The metrics one plugin registered, so that `close()` can take them out of
 * a shared registry again (a database re-created with the same registry
 * must not collide with the closed one's names).
 */
export class RegisteredMetrics {
  private readonly names: string[] = [];

  constructor(readonly registry: Registry, readonly prefix: string) {}

  counter(name: string, help: string, labelNames: readonly string[], collect?: (this: Counter<string>) => void | Promise<void>): Counter<string> {
    return this.add(name, () => new Counter({ name: this.prefix + name, help, labelNames, registers: [this.registry], ...(collect ? { collect } : {}) }));
  }

  gauge(name: string, help: string, labelNames: readonly string[], collect?: (this: Gauge<string>) => void | Promise<void>): Gauge<string> {
    return this.add(name, () => new Gauge({ name: this.prefix + name, help, labelNames, registers: [this.registry], ...(collect ? { collect } : {}) }));
  }

  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]): Histogram<string> {
    return this.add(name, () => new Histogram({ name: this.prefix + name, help, labelNames, buckets: [...buckets], registers: [this.registry] }));
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
    return metric;
  }
}
