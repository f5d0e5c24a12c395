import type { OperationSeries } from './operation-metrics.js';

/** One sample as prom-client's registry formats it. */
interface Sample {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  readonly metricName: string;
}

/**
 * The latency histogram, exported through prom-client's registry from the
 * buckets the series count themselves. prom-client has no way to set a
 * histogram's buckets, only `observe()`, whose per-call label handling was
 * most of the plugin's cost; its registry needs no more than this: a name,
 * `get()` in the shape its own histograms return (`_bucket` samples with
 * cumulative counts and an `le` label, `_sum`, `_count`), `reset()` and an
 * aggregator for cluster mode. Formatting and escaping stay prom-client's.
 */
export class DurationHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
    private readonly series: () => Iterable<OperationSeries>,
  ) {}

  async get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: Sample[] }> {
    const values: Sample[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.series()) {
      for (const o of s.outcomes.values()) {
        if (o.observed === 0) continue;
        let cumulative = 0;
        for (const [i, le] of this.bounds.entries()) {
          cumulative += o.buckets[i]!;
          values.push({ labels: { le, ...o.labels }, value: cumulative, metricName: bucket });
        }
        values.push({ labels: { le: '+Inf', ...o.labels }, value: o.observed, metricName: bucket });
        values.push({ labels: o.labels, value: o.sum, metricName: `${this.name}_sum` });
        values.push({ labels: o.labels, value: o.observed, metricName: `${this.name}_count` });
      }
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** The values mirror the series' cumulative counts, like the counter's: registry.resetMetrics() leaves them. */
  reset(): void {}
}
