import { context, metrics as otelMetrics, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import type { Plugin } from '@chatcore/core/plugin';
import { postgres } from '@chatcore/postgres';
import { metrics } from '@chatcore/metrics';
import { compare, pairedCpuRatio, rows } from '../lib/measure.js';

const URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TABLE_ROWS = 20_000;
const OPS = Number(process.env.BENCH_OPS ?? 4000);

const items = defineRepository('bench_metrics_items', { id: f.id(), title: f.string({ max: 200 }), score: f.integer(), version: f.version() });

/** An SDK exporter that drops what it gets: the cost measured is the SDK's, not a network's. */
const dropSpans: SpanExporter = { export: (_spans: ReadableSpan[], done) => done({ code: 0 }), shutdown: async () => undefined };
const dropMetrics: PushMetricExporter = { export: (_m, done) => done({ code: 0 }), forceFlush: async () => undefined, shutdown: async () => undefined };

/**
 * `repo.get(id)` at 16 in flight on PostgreSQL: without plugins, with a
 * plugin that has the same hooks and does nothing (what core's pipeline
 * costs any such plugin), with the metrics plugin (no OpenTelemetry SDK registered; and with OpenTelemetry
 * turned off, to show the no-SDK check costs nothing), and with an SDK
 * registered (a span per call through a batch processor, and the OTel
 * meter). Targets: metrics >= 0.95x of no plugins; with the SDK >= 0.95x
 * of without it. With an SDK, the raw baseline is what an application would
 * write by hand for the same telemetry: one CLIENT span made active around
 * the call and one histogram record, with the same SDK, no plugin.
 */
export async function metricsOverhead(out: string[]): Promise<void> {
  const open = async (plugins: Plugin[]) => {
    const db = createDatabase({ driver: postgres({ url: URL, poolSize: 10 }), repositories: { items }, plugins });
    await db.connect();
    return db;
  };
  const plain = await open([]);
  // What any plugin with the same two hooks costs in core's pipeline, doing nothing itself.
  const empty = await open([{ name: 'empty', around: (op, _ctx, next) => next(op), onInvalidInput: () => undefined }]);
  const measured = await open([metrics()]);
  const off = await open([metrics({ openTelemetry: false })]);

  // Registered after the three above connected: only the next database sees an SDK.
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropSpans)] });
  const meterProvider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: dropMetrics, exportIntervalMillis: 5000 })] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(tracerProvider);
  otelMetrics.setGlobalMeterProvider(meterProvider);
  const traced = await open([metrics()]);
  // The same telemetry written by hand around a plugin-free call: the SDK's own cost per call.
  const tracer = trace.getTracer('bench-by-hand');
  const histogram = otelMetrics.getMeter('bench-by-hand').createHistogram('db.client.operation.duration', { unit: 's' });
  const attributes = { 'db.system.name': 'postgresql', 'db.operation.name': 'get', 'db.collection.name': 'bench_metrics_items' };
  const byHand = async (id: string) => {
    const started = performance.now();
    const span = tracer.startSpan('get bench_metrics_items', { kind: SpanKind.CLIENT, attributes }, context.active());
    try {
      return await context.with(trace.setSpan(context.active(), span), () => plain.items.get(id));
    } finally {
      histogram.record((performance.now() - started) / 1000, attributes);
      span.end();
    }
  };

  const k = plain.driver as unknown as { executor: { execute(s: { sql: string; parameters: unknown[] }): Promise<unknown> } };
  await k.executor.execute({ sql: 'truncate bench_metrics_items', parameters: [] });
  const ids: string[] = [];
  for (let done = 0; done < TABLE_ROWS; done += 5000) {
    const batch = await plain.items.createMany(Array.from({ length: 5000 }, (_, i) => ({ title: `item ${done + i}`, score: (done + i) % 1000 })));
    for (const r of batch) ids.push(r.id);
  }
  await k.executor.execute({ sql: 'analyze bench_metrics_items', parameters: [] });
  const pick = (i: number) => ids[(i * 7919) % ids.length]!;

  const results = await compare(
    [
      { name: 'repo.get (no plugins)', op: (i) => plain.items.get(pick(i)) },
      { name: 'repo.get (empty plugin: around + onInvalidInput)', op: (i) => empty.items.get(pick(i)) },
      { name: 'repo.get (metrics, no OTel SDK)', op: (i) => measured.items.get(pick(i)) },
      { name: 'repo.get (metrics, openTelemetry: false)', op: (i) => off.items.get(pick(i)) },
      { name: 'repo.get (metrics + OTel SDK: spans and meter)', op: (i) => traced.items.get(pick(i)) },
      { name: 'repo.get + the same span and histogram by hand (OTel SDK, no plugin)', op: (i) => byHand(pick(i)) },
    ],
    { count: OPS, inFlight: 16, rounds: 7 },
  );
  out.push(...rows('get by id, 16 in flight', results, 'repo.get (no plugins)', { variant: 'repo.get (metrics, no OTel SDK)', min: 0.95 }));
  out.push(...rows('get by id, 16 in flight, vs metrics without SDK', results.filter((r) => !r.name.startsWith('repo.get (no plugins') && !r.name.startsWith('repo.get (empty') && !r.name.includes('by hand')), 'repo.get (metrics, no OTel SDK)', { variant: 'repo.get (metrics + OTel SDK: spans and meter)', min: 0.95 }));
  out.push(...rows('get by id, 16 in flight, OTel SDK: plugin vs the same telemetry by hand', results.filter((r) => r.name.includes('SDK') && !r.name.includes('no OTel')), 'repo.get + the same span and histogram by hand (OTel SDK, no plugin)', { variant: 'repo.get (metrics + OTel SDK: spans and meter)', min: 0.95 }));
  // Client CPU per call, paired by round: what the plugin itself costs, less exposed to other load on the machine.
  for (const r of results.slice(1)) {
    const ratio = pairedCpuRatio(r, results[0]!);
    const delta = r.cpuMicrosPerOp - results[0]!.cpuMicrosPerOp;
    out.push(`| client CPU per get vs no plugins | ${r.name} | | ${r.cpuMicrosPerOp.toFixed(1)} | | ${ratio.toFixed(2)}x CPU (${delta >= 0 ? '+' : ''}${delta.toFixed(1)} µs between medians) |`);
  }

  await k.executor.execute({ sql: 'drop table if exists bench_metrics_items', parameters: [] });
  for (const db of [traced, off, measured, empty, plain]) await db.close();
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
  trace.disable();
  otelMetrics.disable();
  context.disable();
}
