import type { Attributes, Context, Counter, Histogram, Meter, Span, Tracer, UpDownCounter } from '@opentelemetry/api';
import type { MethodName, OperationContext } from '@chatcore/core/plugin';
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

interface Instruments {
  readonly calls: Counter;
  readonly duration: Histogram;
  readonly inFlight: UpDownCounter;
}

/**
 * Spans and OTel metrics for repository calls, made only when the
 * application registered an OpenTelemetry SDK before `connect()`: with the
 * API's no-op providers `load` returns undefined and the plugin's hot path
 * has nothing to call.
 */
export class OpenTelemetry {
  private readonly attributes = new Map<string, Attributes>();

  private constructor(
    private readonly api: Api,
    private readonly tracer: Tracer | undefined,
    private readonly instruments: Instruments | undefined,
    private readonly system: string,
  ) {}

  /** Import the API (an optional peer dependency) and look for a registered SDK. */
  static async load(driverName: string, buckets: readonly number[]): Promise<OpenTelemetry | undefined> {
    let api: Api;
    try {
      api = await import('@opentelemetry/api');
    } catch {
      return undefined;
    }
    const tracer = sdkTracer(api);
    const meter = sdkMeter(api);
    if (!tracer && !meter) return undefined;
    const instruments = meter && {
      calls: meter.createCounter('chatcore.operations', { description: 'Repository calls by repository, operation and outcome.', unit: '{call}' }),
      duration: meter.createHistogram('db.client.operation.duration', {
        description: 'Duration of repository calls.', unit: 's', advice: { explicitBucketBoundaries: [...buckets] },
      }),
      inFlight: meter.createUpDownCounter('chatcore.operations.in_flight', { description: 'Repository calls in flight.', unit: '{call}' }),
    };
    return new OpenTelemetry(api, tracer, instruments, dbSystem(driverName));
  }

  /**
   * Start a call: a CLIENT span named like `find users`, a child of the
   * caller's active span, timed from the repository call's start.
   */
  begin(ctx: OperationContext): Span | undefined {
    this.instruments?.inFlight.add(1, this.base(ctx.repository, ctx.method));
    if (!this.tracer) return undefined;
    return this.tracer.startSpan(
      `${ctx.method} ${ctx.repository}`,
      { kind: this.api.SpanKind.CLIENT, attributes: this.spanAttributes(ctx), startTime: performance.timeOrigin + ctx.startedAtHr },
      this.api.context.active(),
    );
  }

  /** Run the rest of the onion with `span` active, so spans made below (a driver's) become its children. */
  within<T>(span: Span, fn: () => Promise<T>): Promise<T> {
    const ctx: Context = this.api.trace.setSpan(this.api.context.active(), span);
    return this.api.context.with(ctx, fn);
  }

  /** Finish a call that `begin` started. */
  end(ctx: OperationContext, span: Span | undefined, outcome: Outcome, seconds: number): void {
    if (this.instruments) {
      this.instruments.inFlight.add(-1, this.base(ctx.repository, ctx.method));
      const attributes = this.outcomeAttributes(ctx.repository, ctx.method, outcome);
      this.instruments.calls.add(1, attributes);
      this.instruments.duration.record(seconds, attributes);
    }
    if (span) this.close(span, outcome, performance.timeOrigin + ctx.startedAtHr + seconds * 1000);
  }

  /** Input rejected before the onion: a counted call and a zero-length span with the error. */
  rejected(repository: string, method: MethodName, outcome: Outcome): void {
    this.instruments?.calls.add(1, this.outcomeAttributes(repository, method, outcome));
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

  private spanAttributes(ctx: OperationContext): Attributes {
    return { ...this.base(ctx.repository, ctx.method), 'chatcore.trace_id': ctx.traceId };
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
