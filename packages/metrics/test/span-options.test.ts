import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { context, metrics as otelMetrics, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { AggregationTemporality, MeterProvider, MetricReader, type DataPoint, type Histogram as HistogramPoint } from '@opentelemetry/sdk-metrics';
import { PGlite } from '@electric-sql/pglite';
import { createDatabase, ValidationError } from '@chatcore/core';
import type { Plugin } from '@chatcore/core/plugin';
import { pglite } from '@chatcore/pglite';
import { metrics, type MetricsOptions } from '../src/index.js';
import { users } from './helpers/fixtures.js';

// The activeSpan and requireParentSpan options, each database with an SDK of its own test.

class PullReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const client = await PGlite.create();
const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(tracerProvider);
const tracer = trace.getTracer('test');

/** A plugin listed after metrics that makes a span of its own, as an instrumented client below would. */
const below: Plugin = {
  name: 'below',
  around: (op, _ctx, next) => {
    tracer.startSpan('below', {}, context.active()).end();
    return next(op);
  },
};

/** A database with its own meter (so counts are this test's only), connected after the SDK was registered. */
async function open(options: MetricsOptions) {
  const reader = new PullReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  otelMetrics.disable();
  otelMetrics.setGlobalMeterProvider(meterProvider);
  const db = createDatabase({ driver: pglite({ client }), repositories: { users }, plugins: [metrics(options), below] });
  await db.connect();
  return { db, reader, meterProvider };
}

function inRequest<T>(fn: (parent: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan('request', async (parent) => {
    try {
      return await fn(parent);
    } finally {
      parent.end();
    }
  });
}

const named = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name);
const parentOf = (s: ReadableSpan | undefined) => s?.parentSpanContext?.spanId;

test('by default the call\'s span is not made active: a span made below is a child of the caller\'s span', async () => {
  const { db, meterProvider } = await open({});
  exporter.reset();
  const request = await inRequest(async (parent) => {
    await db.users.create({ name: 'Ada', handle: 'ada-default' });
    return parent.spanContext().spanId;
  });
  const [call] = named('create users');
  assert.is(parentOf(call), request);
  assert.is(parentOf(named('below')[0]), request);
  await db.close();
  await meterProvider.shutdown();
});

test('activeSpan: true makes a span made below a child of the call\'s span', async () => {
  const { db, meterProvider } = await open({ activeSpan: true });
  exporter.reset();
  const request = await inRequest(async (parent) => {
    await db.users.create({ name: 'Bob', handle: 'bob-active' });
    return parent.spanContext().spanId;
  });
  const [call] = named('create users');
  assert.is(parentOf(call), request);
  assert.is(parentOf(named('below')[0]), call!.spanContext().spanId);
  await db.close();
  await meterProvider.shutdown();
});

test('requireParentSpan: true makes spans only inside a caller\'s span; the OTel histogram still records every call', async () => {
  const { db, reader, meterProvider } = await open({ requireParentSpan: true });
  exporter.reset();
  const outside = await db.users.create({ name: 'Cy', handle: 'cy-require' });
  await db.users.get(outside.id);
  await db.users.create({ name: 7 } as never).then(() => assert.unreachable(), (e) => assert.instance(e, ValidationError));
  assert.equal(exporter.getFinishedSpans().map((s) => s.name), ['below', 'below'], 'no span of ours outside a trace');
  const request = await inRequest(async (parent) => {
    await db.users.get(outside.id);
    await db.users.create({ name: 8 } as never).catch(() => undefined);
    return parent.spanContext().spanId;
  });
  const [get] = named('get users');
  assert.is(parentOf(get), request);
  assert.is(named('get users').length, 1);
  assert.is(named('create users').length, 1, 'the rejected input inside the request');
  assert.is(named('create users')[0]!.attributes['error.type'], 'VALIDATION');
  const { resourceMetrics } = await reader.collect();
  const points = resourceMetrics.scopeMetrics.filter((s) => s.scope.name === '@chatcore/metrics').flatMap((s) => s.metrics)
    .find((m) => m.descriptor.name === 'db.client.operation.duration')!.dataPoints as DataPoint<HistogramPoint>[];
  const gets = points.find((p) => p.attributes['db.operation.name'] === 'get')!;
  assert.is(gets.value.count, 2, 'both gets, outside and inside the request');
  await db.close();
  await meterProvider.shutdown();
});

test.after(async () => {
  await client.close();
  await tracerProvider.shutdown();
  trace.disable();
  otelMetrics.disable();
  context.disable();
});

test.run();
