import type { OperationContext, Plugin, PluginHost } from '@chatcore/core/plugin';
import type { Registry } from 'prom-client';
import { resolveMetricsOptions, type MetricsOptions } from './metrics-options.js';
import { OperationMetrics, type OperationSeries } from './operation-metrics.js';
import { isTargetedMiss, missOutcome, outcomeOf, type Outcome } from './outcome.js';
import type { Span } from '@opentelemetry/api';
import { OpenTelemetry } from './open-telemetry.js';
import { RegisteredMetrics } from './prom-metrics.js';
import { registerStackMetrics } from './stack-metrics.js';

/**
 * The metrics plugin: a chatcore Plugin plus the prom-client registry its
 * metrics live in.
 *
 * @example
 * ```ts
 * const m = metrics();
 * const db = createDatabase({ driver: pglite(), repositories: { users }, plugins: [m] });
 * await db.connect();
 * console.log(await m.registry.metrics());
 * ```
 */
export interface MetricsPlugin extends Plugin {
  /** The registry holding this plugin's metrics (the one passed as `registry`, or its own). */
  readonly registry: Registry;
}

/**
 * Create the metrics plugin: per repository × operation × outcome a call
 * counter and a latency histogram, calls in flight, and, read at scrape
 * time, the driver's pool and breakers and the cache, audit and encryption
 * plugins' counters (docs/metrics.md lists every name). With an
 * OpenTelemetry SDK registered before `connect()`, also one span per
 * repository call and the same counters through the OTel meter.
 *
 * List it first (outermost): it then times what the caller waits for,
 * audit and cache hits included, and sees every call.
 *
 * @example
 * ```ts
 * const db = createDatabase({
 *   driver: postgres({ url: process.env.DATABASE_URL }),
 *   repositories: { users },
 *   plugins: [metrics(), audit(), encryption({ rootKey }), cache({ redisUrl: process.env.REDIS_URL })],
 * });
 * ```
 */
export function metrics(options: MetricsOptions = {}): MetricsPlugin {
  const o = resolveMetricsOptions(options);
  const registered = new RegisteredMetrics(o.registry, o.prefix, o.defaultLabels);
  const operations = new OperationMetrics(registered, o.buckets);
  let host: PluginHost | undefined;
  let telemetry: OpenTelemetry | undefined;
  registerStackMetrics(registered, () => host);

  return {
    name: o.name,
    placement: { prefersOutermost: true },
    registry: o.registry,

    async connect(h) {
      host = h;
      // Checked once: an SDK registered after connect() is not seen (register it first).
      if (o.openTelemetry) telemetry = await OpenTelemetry.load(h.driver.name, o.buckets, operations, o);
    },

    async around(op, ctx, next) {
      const series = operations.series(ctx.repository, ctx.method);
      series.inFlight++;
      // Held for the whole call: a close() meanwhile must not leave its span open.
      const t = telemetry;
      const span = t?.begin(ctx, series);
      // Core releases the caller when the call's deadline fires, with the signal's reason as its error: the call
      // ends for the metrics then, not when a backend that ignores the signal answers (that answer is not counted).
      const signal = ctx.signal;
      let finished = false;
      let onDeadline: (() => void) | undefined;
      if (signal) {
        onDeadline = () => {
          if (finished) return;
          finished = true;
          record(series, t, ctx, span, outcomeOf(signal.reason), elapsed(ctx));
        };
        if (signal.aborted) onDeadline();
        else signal.addEventListener('abort', onDeadline, { once: true });
      }
      let outcome: Outcome = 'ok';
      let seconds = 0;
      try {
        // Made active only on request: an AsyncLocalStorage switch per call, for spans made below it.
        const result = span && t!.activeSpan ? await t!.within(span, next, op) : await next(op);
        seconds = elapsed(ctx);
        if (host && !finished && isTargetedMiss(ctx, result)) outcome = await missOutcome(ctx, ctx.transaction?.session ?? host.session);
        return result;
      } catch (error) {
        seconds = elapsed(ctx);
        outcome = outcomeOf(error);
        throw error;
      } finally {
        if (onDeadline) signal!.removeEventListener('abort', onDeadline);
        if (!finished) {
          finished = true;
          // A run in an implicit transaction is the call's only if that transaction commits, or fails for good.
          if (ctx.transaction?.implicit) holdRun(ctx, { series, t, span, outcome });
          else record(series, t, ctx, span, outcome, seconds);
        }
      }
    },

    afterCommit(event) {
      if (!event.implicit) return;
      for (const c of event.operations) {
        const run = takeRun(c.ctx);
        if (run) record(run.series, run.t, c.ctx, run.span, run.outcome, elapsed(c.ctx));
      }
    },

    afterRollback(event) {
      if (!event.implicit) return;
      // A run that failed rolls back the writes core made for its call (onDelete cascades, which on SQL run
      // before the database refuses a restricted delete): those are not calls of their own, as on the backends
      // that refuse before running them.
      const runFailed = event.operations.some((c) => c.failed);
      for (const c of event.operations) {
        const run = takeRun(c.ctx);
        if (!run) continue;
        const outcome = run.outcome === 'ok' ? outcomeOf(event.error) : run.outcome;
        // Another attempt, or the write alone, follows: that run is the call's, timed from its start.
        if (event.retried || event.rerun || (runFailed && !c.failed)) dropRun(run, c.ctx, outcome, elapsed(c.ctx));
        else record(run.series, run.t, c.ctx, run.span, outcome, elapsed(c.ctx));
      }
    },

    onInvalidInput({ repository, method, error }) {
      // Rejected before any plugin ran: counted, with no duration to observe.
      const outcome = outcomeOf(error);
      const series = operations.series(repository, method);
      series.count(outcome);
      telemetry?.rejected(series, outcome);
    },

    close() {
      registered.unregister();
      telemetry?.shutdown();
      telemetry = undefined;
    },
  };
}

/** Seconds since the repository call started. */
function elapsed(ctx: OperationContext): number {
  return (performance.now() - ctx.startedAtHr) / 1000;
}

/** A run of a call in an implicit transaction, still in flight until that transaction ends. */
interface HeldRun {
  readonly series: OperationSeries;
  readonly t: OpenTelemetry | undefined;
  readonly span: Span | undefined;
  readonly outcome: Outcome;
}

const HELD = Symbol('metrics.heldRun');

function holdRun(ctx: OperationContext, run: HeldRun): void {
  ctx.state.set(HELD, run);
}

function takeRun(ctx: OperationContext): HeldRun | undefined {
  // Only contexts of runs in an implicit transaction can hold one: reading `state` elsewhere would make its Map.
  if (!ctx.transaction?.implicit) return undefined;
  const run = ctx.state.get(HELD) as HeldRun | undefined;
  if (run) ctx.state.delete(HELD);
  return run;
}

/** A run core repeats: out of flight, not counted (the repeat is); its span ends with the run. */
function dropRun(run: HeldRun, ctx: OperationContext, outcome: Outcome, seconds: number): void {
  run.series.inFlight--;
  run.t?.endRun(ctx, run.span, outcome, seconds);
}

/** One finished call: out of flight, into the counter and histogram, and its span ended. */
function record(series: OperationSeries, t: OpenTelemetry | undefined, ctx: OperationContext, span: Span | undefined, outcome: Outcome, seconds: number): void {
  series.inFlight--;
  series.finish(outcome, seconds);
  t?.end(ctx, series, span, outcome, seconds);
}
