import type { Context, Histogram, Meter, ObservableCallback, ObservableCounter, ObservableUpDownCounter, Span, Tracer } from '@opentelemetry/api';
import type { OperationContext } from '@chatcore/core/plugin';
import type { OperationMetrics, OperationSeries } from './operation-metrics.js';
import type { Outcome } from './outcome.js';
import { dbSystem } from './db-system.js';
import { SeriesAttributes } from './series-attributes.js';

type Api = typeof import('@opentelemetry/api');

/** How calls' spans relate to other spans (the `activeSpan` and `requireParentSpan` options). */
export interface SpanOptions {
  readonly activeSpan: boolean;
  readonly requireParentSpan: boolean;
}

const SCOPE = '@chatcore/metrics';
// Read once: `performance.timeOrigin` is a getter that costs a call each time.
const TIME_ORIGIN = performance.timeOrigin;

/** The tracer of a registered SDK, or undefined while the global provider is the API's no-op. */
function sdkTracer(api: Api): Tracer | undefined {
  const provider = api.trace.getTracerProvider() as ReturnType<Api['trace']['getTracerProvider']> & { getDelegateTracer?: (name: string) => Tracer | undefined };
  // The global provider is a proxy that delegates to the SDK once one registered.
  if (typeof provider.getDelegateTracer === 'function') return provider.getDelegateTracer(SCOPE);
  return provider.getTracer(SCOPE);
}

function sdkMeter(api: Api): Meter | undefined {
  const meter = api.metrics.getMeter(SCOPE);
  return meter === api.createNoopMeter() ? undefined : meter;
}

/**
 * The OTel instruments. The call counter and the in-flight counter are
 * observable: the meter reads the same fields as the Prometheus counter at
 * collection time, so a call records only its duration (the SDK hashes the
 * attributes of every record, which costs microseconds).
 */
interface Instruments {
  readonly duration: Histogram;
  readonly calls: ObservableCounter;
  readonly inFlight: ObservableUpDownCounter;
  readonly observeCalls: ObservableCallback;
  readonly observeInFlight: ObservableCallback;
}

/**
 * Spans and OTel metrics for repository calls, made only when the
 * application registered an OpenTelemetry SDK before `connect()`: with the
 * API's no-op providers `load` returns undefined and the plugin's hot path
 * has nothing to call.
 */
export class OpenTelemetry {
  private readonly attributes = new Map<OperationSeries, SeriesAttributes>();
  private instruments: Instruments | undefined;

  private constructor(
    private readonly api: Api,
    private readonly tracer: Tracer | undefined,
    private readonly system: string,
    private readonly spans: SpanOptions,
  ) {}

  /** Whether a call's span is made active around the rest of the call (`within`). */
  get activeSpan(): boolean {
    return this.spans.activeSpan;
  }

  /** Import the API (an optional peer dependency) and look for a registered SDK. */
  static async load(driverName: string, buckets: readonly number[], operations: OperationMetrics, spans: SpanOptions): Promise<OpenTelemetry | undefined> {
    let api: Api;
    try {
      api = await import('@opentelemetry/api');
    } catch {
      return undefined;
    }
    const tracer = sdkTracer(api);
    const meter = sdkMeter(api);
    if (!tracer && !meter) return undefined;
    const telemetry = new OpenTelemetry(api, tracer, dbSystem(driverName), spans);
    if (meter) telemetry.instruments = telemetry.instrument(meter, buckets, operations);
    return telemetry;
  }

  private instrument(meter: Meter, buckets: readonly number[], operations: OperationMetrics): Instruments {
    const observeCalls: ObservableCallback = (result) => {
      for (const s of operations.all()) for (const o of s.outcomes.values()) result.observe(o.calls, this.of(s).calls(o.labels.outcome));
    };
    const observeInFlight: ObservableCallback = (result) => {
      for (const s of operations.all()) result.observe(s.inFlight, this.of(s).inFlight);
    };
    const calls = meter.createObservableCounter('chatcore.operations', { description: 'Repository calls by repository, operation and outcome.', unit: '{call}' });
    const inFlight = meter.createObservableUpDownCounter('chatcore.operations.in_flight', { description: 'Repository calls in flight.', unit: '{call}' });
    calls.addCallback(observeCalls);
    inFlight.addCallback(observeInFlight);
    const duration = meter.createHistogram('db.client.operation.duration', {
      description: 'Duration of repository calls.', unit: 's', advice: { explicitBucketBoundaries: [...buckets] },
    });
    return { duration, calls, inFlight, observeCalls, observeInFlight };
  }

  /** Stop reporting (the database closed). */
  shutdown(): void {
    const i = this.instruments;
    if (!i) return;
    i.calls.removeCallback(i.observeCalls);
    i.inFlight.removeCallback(i.observeInFlight);
    this.instruments = undefined;
  }

  /**
   * Start a call: a CLIENT span named like `find users`, a child of the
   * caller's active span, timed from the repository call's start. None with
   * `requireParentSpan` outside a caller's span.
   */
  begin(ctx: OperationContext, series: OperationSeries): Span | undefined {
    if (!this.tracer) return undefined;
    const parent = this.parent();
    if (!parent) return undefined;
    const a = this.of(series);
    const span = this.tracer.startSpan(
      a.spanName,
      { kind: this.api.SpanKind.CLIENT, attributes: a.span, startTime: TIME_ORIGIN + ctx.startedAtHr },
      parent,
    );
    span.setAttribute('chatcore.trace_id', ctx.traceId);
    return span;
  }

  /** Run `fn(arg)` with `span` active, so spans made below (a driver's) become its children. */
  within<A, T>(span: Span, fn: (arg: A) => Promise<T>, arg: A): Promise<T> {
    const ctx: Context = this.api.trace.setSpan(this.api.context.active(), span);
    // The argument is passed through: no closure per call.
    return this.api.context.with(ctx, fn, undefined, arg);
  }

  /** Finish a call that `begin` started. */
  end(ctx: OperationContext, series: OperationSeries, span: Span | undefined, outcome: Outcome, seconds: number): void {
    this.instruments?.duration.record(seconds, this.of(series).duration(outcome));
    if (span) this.close(span, outcome, TIME_ORIGIN + ctx.startedAtHr + seconds * 1000);
  }

  /** End the span of a run that core repeats (the repeat is the call): no duration is recorded for it. */
  endRun(ctx: OperationContext, span: Span | undefined, outcome: Outcome, seconds: number): void {
    if (span) this.close(span, outcome, TIME_ORIGIN + ctx.startedAtHr + seconds * 1000);
  }

  /** Input rejected before the onion (already counted by the plugin): a zero-length span with the error. */
  rejected(series: OperationSeries, outcome: Outcome): void {
    if (!this.tracer) return;
    const parent = this.parent();
    if (!parent) return;
    const a = this.of(series);
    const span = this.tracer.startSpan(a.spanName, { kind: this.api.SpanKind.CLIENT, attributes: a.span }, parent);
    this.close(span, outcome, undefined);
  }

  /** The caller's context, or undefined when `requireParentSpan` asks for a span there and it has none. */
  private parent(): Context | undefined {
    const active = this.api.context.active();
    return this.spans.requireParentSpan && this.api.trace.getSpan(active) === undefined ? undefined : active;
  }

  private close(span: Span, outcome: Outcome, endTime: number | undefined): void {
    span.setAttribute('chatcore.outcome', outcome);
    if (outcome !== 'ok') {
      // The code only: an error message may quote a value.
      span.setAttribute('error.type', outcome);
      span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: outcome });
    }
    span.end(endTime);
  }

  /** The attributes of a series, made on its first call. */
  private of(series: OperationSeries): SeriesAttributes {
    let a = this.attributes.get(series);
    if (!a) this.attributes.set(series, (a = new SeriesAttributes(this.system, series.labels.repository, series.labels.operation)));
    return a;
  }
}
