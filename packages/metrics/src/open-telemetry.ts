import type { Attributes, Context, Histogram, Meter, ObservableCallback, ObservableCounter, ObservableUpDownCounter, Span, Tracer } from '@opentelemetry/api';
import type { MethodName, OperationContext } from '@chatcore/core/plugin';
import type { OperationMetrics } from './operation-metrics.js';
import type { Outcome } from './outcome.js';
import { dbSystem } from './db-system.js';

type Api = typeof import('@opentelemetry/api');

const SCOPE = '@chatcore/metrics';

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
  private readonly attributes = new Map<string, Attributes>();
  private instruments: Instruments | undefined;

  private constructor(
    private readonly api: Api,
    private readonly tracer: Tracer | undefined,
    private readonly system: string,
  ) {}

  /** Import the API (an optional peer dependency) and look for a registered SDK. */
  static async load(driverName: string, buckets: readonly number[], operations: OperationMetrics): Promise<OpenTelemetry | undefined> {
    let api: Api;
    try {
      api = await import('@opentelemetry/api');
    } catch {
      return undefined;
    }
    const tracer = sdkTracer(api);
    const meter = sdkMeter(api);
    if (!tracer && !meter) return undefined;
    const telemetry = new OpenTelemetry(api, tracer, dbSystem(driverName));
    if (meter) telemetry.instruments = telemetry.instrument(meter, buckets, operations);
    return telemetry;
  }

  private instrument(meter: Meter, buckets: readonly number[], operations: OperationMetrics): Instruments {
    const observeCalls: ObservableCallback = (result) => {
      for (const s of operations.all()) for (const o of s.outcomes.values()) result.observe(o.calls, this.outcomeAttributes(s.labels.repository, s.labels.operation, o.labels.outcome));
    };
    const observeInFlight: ObservableCallback = (result) => {
      for (const s of operations.all()) result.observe(s.inFlight, this.base(s.labels.repository, s.labels.operation));
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
   * caller's active span, timed from the repository call's start.
   */
  begin(ctx: OperationContext): Span | undefined {
    if (!this.tracer) return undefined;
    const span = this.tracer.startSpan(
      `${ctx.method} ${ctx.repository}`,
      { kind: this.api.SpanKind.CLIENT, attributes: this.base(ctx.repository, ctx.method), startTime: performance.timeOrigin + ctx.startedAtHr },
      this.api.context.active(),
    );
    span.setAttribute('chatcore.trace_id', ctx.traceId);
    return span;
  }

  /** Run the rest of the onion with `span` active, so spans made below (a driver's) become its children. */
  within<T>(span: Span, fn: () => Promise<T>): Promise<T> {
    const ctx: Context = this.api.trace.setSpan(this.api.context.active(), span);
    return this.api.context.with(ctx, fn);
  }

  /** Finish a call that `begin` started. */
  end(ctx: OperationContext, span: Span | undefined, outcome: Outcome, seconds: number): void {
    this.instruments?.duration.record(seconds, this.outcomeAttributes(ctx.repository, ctx.method, outcome));
    if (span) this.close(span, outcome, performance.timeOrigin + ctx.startedAtHr + seconds * 1000);
  }

  /** Input rejected before the onion (already counted by the plugin): a zero-length span with the error. */
  rejected(repository: string, method: MethodName, outcome: Outcome): void {
    if (!this.tracer) return;
    const span = this.tracer.startSpan(
      `${method} ${repository}`,
      { kind: this.api.SpanKind.CLIENT, attributes: this.base(repository, method) },
      this.api.context.active(),
    );
    this.close(span, outcome, undefined);
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

  /** Attributes of a repository × operation (× outcome), made once each. */
  private base(repository: string, method: string): Attributes {
    return this.cached(`${repository}\u0000${method}`, () => ({
      'db.system': this.system, 'db.system.name': this.system, 'db.operation.name': method, 'db.collection.name': repository,
    }));
  }

  private outcomeAttributes(repository: string, method: string, outcome: Outcome): Attributes {
    return this.cached(`${repository}\u0000${method}\u0000${outcome}`, () => ({
      ...this.base(repository, method), 'chatcore.outcome': outcome, ...(outcome === 'ok' ? {} : { 'error.type': outcome }),
    }));
  }

  private cached(key: string, make: () => Attributes): Attributes {
    let a = this.attributes.get(key);
    if (!a) this.attributes.set(key, (a = Object.freeze(make())));
    return a;
  }
}
