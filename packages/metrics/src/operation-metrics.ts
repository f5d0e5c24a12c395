import type { Histogram } from 'prom-client';
import type { Outcome } from './outcome.js';
import type { RegisteredMetrics } from './prom-metrics.js';

// Type aliases, not interfaces: prom-client takes label objects as records.
type SeriesLabels = { readonly repository: string; readonly operation: string };
type OutcomeLabels = SeriesLabels & { readonly outcome: Outcome };

/**
 * The counters of one repository × operation. The hot path only bumps
 * plain fields here (prom-client's per-call label hashing and checks cost
 * microseconds); the counter and the gauge read them at scrape time.
 */
export class OperationSeries {
  inFlight = 0;
  /** Finished calls by outcome. */
  readonly calls = new Map<Outcome, number>();
  readonly labels: SeriesLabels;
  private readonly byOutcome = new Map<Outcome, OutcomeLabels>();

  constructor(repository: string, operation: string) {
    this.labels = { repository, operation };
  }

  /** One frozen label object per outcome, made once. */
  outcomeLabels(outcome: Outcome): OutcomeLabels {
    let labels = this.byOutcome.get(outcome);
    if (!labels) this.byOutcome.set(outcome, (labels = Object.freeze({ ...this.labels, outcome })));
    return labels;
  }

  count(outcome: Outcome): void {
    this.calls.set(outcome, (this.calls.get(outcome) ?? 0) + 1);
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
  private readonly duration: Histogram<string>;

  constructor(metrics: RegisteredMetrics, buckets: readonly number[]) {
    const all = () => this.all();
    metrics.counter('operations_total', 'Repository calls, by repository, operation (method name) and outcome (ok or the error code).', LABELS, function () {
      this.reset();
      for (const s of all()) for (const [outcome, n] of s.calls) this.inc(s.outcomeLabels(outcome), n);
    });
    this.duration = metrics.histogram(
      'operation_duration_seconds',
      'Latency of repository calls in seconds, from the call to its result, by repository, operation and outcome.',
      LABELS,
      buckets,
    );
    metrics.gauge('operations_in_flight', 'Repository calls started and not yet finished, by repository and operation.', ['repository', 'operation'], function () {
      this.reset();
      for (const s of all()) this.set(s.labels, s.inFlight);
    });
  }

  series(repository: string, operation: string): OperationSeries {
    let byOperation = this.table.get(repository);
    if (!byOperation) this.table.set(repository, (byOperation = new Map()));
    let s = byOperation.get(operation);
    if (!s) byOperation.set(operation, (s = new OperationSeries(repository, operation)));
    return s;
  }

  /** A call that went through the onion finished after `seconds`. */
  finish(s: OperationSeries, outcome: Outcome, seconds: number): void {
    s.count(outcome);
    this.duration.observe(s.outcomeLabels(outcome), seconds);
  }

  /** Every series made so far. */
  *all(): Iterable<OperationSeries> {
    for (const byOperation of this.table.values()) yield* byOperation.values();
  }
}
