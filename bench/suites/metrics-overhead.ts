import { context, metrics as otelMetrics, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { createDatabase, defineRepository, f, type Driver } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/driver';
import type { Plugin } from '@chatcore/core/plugin';
import { postgres } from '@chatcore/postgres';
import { metrics } from '@chatcore/metrics';
import { compare, pairedCpuRatio, rows } from '../lib/measure.js';

const URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TABLE_ROWS = 20_000;
const OPS = Number(process.env.BENCH_OPS ?? 4000);
const MEMORY_OPS = Number(process.env.BENCH_MEMORY_OPS ?? 20_000);

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
 * meter): by default, with `activeSpan: true`, and with
 * `requireParentSpan: true` (no caller span here, so no spans: the
 * histogram only). Targets: metrics >= 0.95x of no plugins; with the SDK
 * (default options) >= 0.95x of without it. With an SDK, the raw baseline
 * is what an application would write by hand for the same telemetry: one
 * CLIENT span (as the plugin makes it by default: not made active; and
 * made active around the call, as `activeSpan: true` does) and one
 * histogram record, with the same SDK, no plugin.
 *
 * Every PostgreSQL database opens its pool's 10 connections before the
 * first timed call, outside any span: a connection opened inside a span's
 * context keeps that context for its callbacks, which made every later
 * call on it dearer (more GC) and, before this, favoured whichever
 * variant happened to open its connections outside a span.
 */
export async function metricsOverhead(out: string[]): Promise<void> {
  const open = async (plugins: Plugin[], driver: () => Driver = () => postgres({ url: URL, poolSize: 10 })) => {
    const db = createDatabase({ driver: driver(), repositories: { items }, plugins });
    await db.connect();
    // All 10 connections at once, outside any span (see above); the memory driver has none.
    const executor = (db.driver as unknown as { executor?: { execute(s: { sql: string; parameters: unknown[] }): Promise<unknown> } }).executor;
    if (executor) await Promise.all(Array.from({ length: 10 }, () => executor.execute({ sql: 'select pg_sleep(0.05)', parameters: [] })));
    return db;
  };
  const plain = await open([]);
  // What any plugin with the same two hooks costs in core's pipeline, doing nothing itself.
  const emptyPlugin = (): Plugin => ({ name: 'empty', around: (op, _ctx, next) => next(op), onInvalidInput: () => undefined });
  const empty = await open([emptyPlugin()]);
  const measured = await open([metrics()]);
  const off = await open([metrics({ openTelemetry: false })]);
  // The same on the memory driver: the plugin's and the SDK's CPU without a network or a server in the figure.
  const mem = { plain: await open([], memoryDriver), empty: await open([emptyPlugin()], memoryDriver), measured: await open([metrics()], memoryDriver) };

  // Registered after the three above connected: only the next database sees an SDK.
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropSpans)] });
  const meterProvider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: dropMetrics, exportIntervalMillis: 5000 })] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(tracerProvider);
  otelMetrics.setGlobalMeterProvider(meterProvider);
  const traced = await open([metrics()]);
  const tracedActive = await open([metrics({ activeSpan: true })]);
  const tracedIfParent = await open([metrics({ requireParentSpan: true })]);
  const memTraced = await open([metrics()], memoryDriver);
  const memTracedActive = await open([metrics({ activeSpan: true })], memoryDriver);
  // The same telemetry written by hand around a plugin-free call: the SDK's own cost per call.
  const tracer = trace.getTracer('bench-by-hand');
  const histogram = otelMetrics.getMeter('bench-by-hand').createHistogram('db.client.operation.duration', { unit: 's' });
  const byHand = (db: typeof plain, system: string, active: boolean) => {
    const attributes = { 'db.system.name': system, 'db.operation.name': 'get', 'db.collection.name': 'bench_metrics_items' };
    return async (id: string) => {
      const started = performance.now();
      const span = tracer.startSpan('get bench_metrics_items', { kind: SpanKind.CLIENT, attributes }, context.active());
      try {
        return active ? await context.with(trace.setSpan(context.active(), span), () => db.items.get(id)) : await db.items.get(id);
      } finally {
        histogram.record((performance.now() - started) / 1000, attributes);
        span.end();
      }
    };
  };
  const pgByHand = byHand(plain, 'postgresql', false);
  const pgByHandActive = byHand(plain, 'postgresql', true);
  const memByHand = byHand(mem.plain, 'memory', false);
  const memByHandActive = byHand(mem.plain, 'memory', true);

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
      { name: 'repo.get (metrics + OTel SDK, activeSpan: true)', op: (i) => tracedActive.items.get(pick(i)) },
      { name: 'repo.get (metrics + OTel SDK, requireParentSpan: true, no caller span)', op: (i) => tracedIfParent.items.get(pick(i)) },
      { name: 'repo.get + the same span and histogram by hand (OTel SDK, no plugin)', op: (i) => pgByHand(pick(i)) },
      { name: 'repo.get + the same by hand, span made active (OTel SDK, no plugin)', op: (i) => pgByHandActive(pick(i)) },
    ],
    { count: OPS, inFlight: 16, rounds: 7 },
  );
  out.push(...rows('get by id, 16 in flight', results, 'repo.get (no plugins)', { variant: 'repo.get (metrics, no OTel SDK)', min: 0.95 }));
  out.push(...rows('get by id, 16 in flight, vs metrics without SDK', results.filter((r) => !r.name.startsWith('repo.get (no plugins') && !r.name.startsWith('repo.get (empty') && !r.name.includes('by hand')), 'repo.get (metrics, no OTel SDK)', { variant: 'repo.get (metrics + OTel SDK: spans and meter)', min: 0.95 }));
  const sdk = (r: { name: string }) => r.name.includes('SDK') && !r.name.includes('no OTel');
  out.push(...rows('get by id, 16 in flight, OTel SDK: plugin vs the same telemetry by hand', results.filter((r) => sdk(r) && !r.name.includes('active')), 'repo.get + the same span and histogram by hand (OTel SDK, no plugin)', { variant: 'repo.get (metrics + OTel SDK: spans and meter)', min: 0.95 }));
  out.push(...rows('get by id, 16 in flight, OTel SDK, span made active: plugin vs by hand', results.filter((r) => sdk(r) && r.name.includes('active')), 'repo.get + the same by hand, span made active (OTel SDK, no plugin)', { variant: 'repo.get (metrics + OTel SDK, activeSpan: true)', min: 0.95 }));
  // Client CPU per call, paired by round: what the plugin itself costs, less exposed to other load on the machine.
  for (const r of results.slice(1)) {
    const ratio = pairedCpuRatio(r, results[0]!);
    const delta = r.cpuMicrosPerOp - results[0]!.cpuMicrosPerOp;
    out.push(`| client CPU per get vs no plugins | ${r.name} | | ${r.cpuMicrosPerOp.toFixed(1)} | | ${ratio.toFixed(2)}x CPU (${delta >= 0 ? '+' : ''}${delta.toFixed(1)} µs between medians) |`);
  }

  await memoryCpu(out, { ...mem, traced: memTraced, tracedActive: memTracedActive, byHand: memByHand, byHandActive: memByHandActive });

  await k.executor.execute({ sql: 'drop table if exists bench_metrics_items', parameters: [] });
  for (const db of [traced, tracedActive, tracedIfParent, off, measured, empty, plain, memTraced, memTracedActive, mem.measured, mem.empty, mem.plain]) await db.close();
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
  trace.disable();
  otelMetrics.disable();
  context.disable();
}

type Db = { readonly items: { get(id: string): Promise<unknown>; createMany(rows: { title: string; score: number }[]): Promise<{ id: string }[]> } };

/**
 * CPU per `repo.get` on the memory driver, 16 in flight: the plugin's own
 * cost and the SDK's, with no network or server in the figure. Each
 * database gets the same 1,000 rows under its own ids; the by-hand variant
 * reads the plugin-free database.
 */
async function memoryCpu(out: string[], dbs: { plain: Db; empty: Db; measured: Db; traced: Db; tracedActive: Db; byHand: (id: string) => Promise<unknown>; byHandActive: (id: string) => Promise<unknown> }): Promise<void> {
  const fill = async (db: Db) => (await db.items.createMany(Array.from({ length: 1000 }, (_, i) => ({ title: `item ${i}`, score: i })))).map((r) => r.id);
  const ids = { plain: await fill(dbs.plain), empty: await fill(dbs.empty), measured: await fill(dbs.measured), traced: await fill(dbs.traced), tracedActive: await fill(dbs.tracedActive) };
  const at = (list: string[], i: number) => list[(i * 7919) % list.length]!;
  const results = await compare(
    [
      { name: 'memory: repo.get (no plugins)', op: (i) => dbs.plain.items.get(at(ids.plain, i)) },
      { name: 'memory: repo.get (empty plugin)', op: (i) => dbs.empty.items.get(at(ids.empty, i)) },
      { name: 'memory: repo.get (metrics, no OTel SDK)', op: (i) => dbs.measured.items.get(at(ids.measured, i)) },
      { name: 'memory: repo.get (metrics + OTel SDK)', op: (i) => dbs.traced.items.get(at(ids.traced, i)) },
      { name: 'memory: repo.get (metrics + OTel SDK, activeSpan: true)', op: (i) => dbs.tracedActive.items.get(at(ids.tracedActive, i)) },
      { name: 'memory: repo.get + span and histogram by hand (OTel SDK)', op: (i) => dbs.byHand(at(ids.plain, i)) },
      { name: 'memory: repo.get + span made active and histogram by hand (OTel SDK)', op: (i) => dbs.byHandActive(at(ids.plain, i)) },
    ],
    { count: MEMORY_OPS, inFlight: 16, rounds: 7 },
  );
  const cpu = (name: string) => results.find((r) => r.name.includes(name))!;
  const line = (what: string, a: string, b: string) => {
    const va = cpu(a);
    const vb = cpu(b);
    const delta = va.cpuMicrosPerOp - vb.cpuMicrosPerOp;
    out.push(`| client CPU per get, memory driver | ${what} | | ${va.cpuMicrosPerOp.toFixed(2)} vs ${vb.cpuMicrosPerOp.toFixed(2)} | | ${pairedCpuRatio(va, vb).toFixed(2)}x CPU (${delta >= 0 ? '+' : ''}${delta.toFixed(2)} µs) |`);
  };
  line('empty plugin vs no plugins (core\'s pipeline)', '(empty plugin)', '(no plugins)');
  line('metrics, no SDK vs no plugins', '(metrics, no OTel SDK)', '(no plugins)');
  line('metrics, no SDK vs empty plugin (the plugin\'s own work)', '(metrics, no OTel SDK)', '(empty plugin)');
  line('span + histogram by hand vs no plugins (the SDK\'s cost)', 'span and histogram by hand', '(no plugins)');
  line('metrics + SDK vs metrics without (what an SDK adds to the plugin)', '(metrics + OTel SDK)', '(metrics, no OTel SDK)');
  line('metrics + SDK vs the same by hand', '(metrics + OTel SDK)', 'span and histogram by hand');
  line('span made active: by hand vs not active by hand', 'span made active and histogram by hand', 'span and histogram by hand');
  line('metrics + SDK, activeSpan: true vs the same by hand', '(metrics + OTel SDK, activeSpan: true)', 'span made active and histogram by hand');
}
