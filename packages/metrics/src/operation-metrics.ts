import type { Outcome } from './outcome.js';
import type { RegisteredMetrics } from './prom-metrics.js';
import { DurationHistogram } from './duration-histogram.js';

// Type aliases, not interfaces: prom-client takes label objects as records.
type SeriesLabels = { readonly repository: string; readonly operation: string };
type OutcomeLabels = SeriesLabels & { readonly outcome: Outcome };

/** The calls of one repository × operation × outcome. */
export class OutcomeStats {
  /** Finished calls, rejected input included. */
  calls = 0;
  /** Durations of the calls that entered the onion: per bucket (not cumulative; the last slot is above every bound), their sum and count. */
  readonly buckets: Float64Array;
  sum = 0;
  observed = 0;

  constructor(readonly labels: OutcomeLabels, bucketCount: number) {
    this.buckets = new Float64Array(bucketCount + 1);
  }
}

/**
 * The counters of one repository × operation. The hot path only updates
 * plain fields here and allocates nothing (prom-client's per-call label
 * checks and hashing allocate several objects per call, which a busy
 * process pays again in garbage collection); the counter, the histogram and
 * the gauge read these fields at scrape time.
 */
export class OperationSeries {
  inFlight = 0;
  readonly outcomes = new Map<Outcome, OutcomeStats>();
  readonly labels: SeriesLabels;

  constructor(repository: string, operation: string, private readonly bounds: readonly number[]) {
    this.labels = { repository, operation };
  }

  stats(outcome: Outcome): OutcomeStats {
    let s = this.outcomes.get(outcome);
    if (!s) this.outcomes.set(outcome, (s = new OutcomeStats(Object.freeze({ ...this.labels, outcome }), this.bounds.length)));
    return s;
  }

  /** A call that never entered the onion (rejected input): counted, no duration. */
  count(outcome: Outcome): void {
    this.stats(outcome).calls++;
  }

  /** A call that went through the onion finished after `seconds`. */
  finish(outcome: Outcome, seconds: number): void {
    const s = this.stats(outcome);
    s.calls++;
    s.observed++;
    s.sum += seconds;
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]!) i++;
    s.buckets[i]!++;
  }
}

const LABELS = ['repository', 'operation', 'outcome'] as const;

/**
 * Per repository × operation × outcome: a call counter and a latency
 * histogram; per repository × operation: the calls in flight. Label values
 * are schema names, method names and error codes only.
 */
export class OperationMetrics {
  private readonly table = new Map<string, Map<string, OperationSeries>>();

  constructor(metrics: RegisteredMetrics, private readonly buckets: readonly number[]) {
    const all = () => this.all();
    metrics.counter('operations_total', 'Repository calls, by repository, operation (method name) and outcome (ok or the error code).', LABELS, function () {
      this.reset();
      for (const s of all()) for (const o of s.outcomes.values()) this.inc(o.labels, o.calls);
    });
    metrics.collector('operation_duration_seconds', (name) => new DurationHistogram(
      name,
      'Latency of repository calls in seconds, from the call to its result, by repository, operation and outcome.',
      buckets,
      all,
    ));
    metrics.gauge('operations_in_flight', 'Repository calls started and not yet finished, by repository and operation.', ['repository', 'operation'], function () {
      this.reset();
      for (const s of all()) this.set(s.labels, s.inFlight);
    });
  }

  series(repository: string, operation: string): OperationSeries {
    let byOperation = this.table.get(repository);
    if (!byOperation) this.table.set(repository, (byOperation = new Map()));
    let s = byOperation.get(operation);
    if (!s) byOperation.set(operation, (s = new OperationSeries(repository, operation, this.buckets)));
    return s;
  }

  /** Every series made so far. */
  *all(): Iterable<OperationSeries> {
    for (const byOperation of this.table.values()) yield* byOperation.values();
  }
}
