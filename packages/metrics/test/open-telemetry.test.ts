import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { context, metrics as otelMetrics, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { AggregationTemporality, MeterProvider, MetricReader, type DataPoint, type Histogram as HistogramPoint } from '@opentelemetry/sdk-metrics';
import { PGlite } from '@electric-sql/pglite';
import { ConflictError, createDatabase, ValidationError } from '@chatcore/core';
import { pglite } from '@chatcore/pglite';
import { metrics } from '../src/index.js';
import { users } from './helpers/fixtures.js';

const client = await PGlite.create();

// Connected before any SDK is registered: this database never makes spans.
const early = createDatabase({ driver: pglite({ client }), repositories: { users }, plugins: [metrics()] });
await early.connect();

/** A reader the test pulls from (the SDK's own in-memory path for metrics). */
class PullReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const reader = new PullReader();
const meterProvider = new MeterProvider({ readers: [reader] });
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(tracerProvider);
otelMetrics.setGlobalMeterProvider(meterProvider);

const db = createDatabase({ driver: pglite({ client }), repositories: { users }, plugins: [metrics()] });
await db.connect();
const tracer = trace.getTracer('test');

/** Run `fn` inside an active parent span, as an instrumented request handler would. */
function inRequest<T>(name: string, fn: (parent: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, async (parent) => {
    try {
      return await fn(parent);
    } finally {
      parent.end();
    }
  });
}

const ours = () => exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === '@chatcore/metrics');
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

test('a database connected before the SDK was registered makes no spans (the check is at connect)', async () => {
  exporter.reset();
  await inRequest('early request', async () => {
    await early.users.create({ name: 'Early', handle: 'early' });
  });
  assert.equal(ours(), []);
  assert.equal(exporter.getFinishedSpans().map((s) => s.name), ['early request']);
});

test('one CLIENT span per repository call, with the documented attributes, parented to the caller\'s span', async () => {
  exporter.reset();
  let parentId = '';
  const ada = await inRequest('POST /users', async (parent) => {
    parentId = parent.spanContext().spanId;
    const created = await db.users.create({ name: 'Ada', handle: 'ada' });
    await db.users.get(created.id);
    await db.users.find({ where: { name: 'Ada' } });
    return created;
  });
  const spans = ours();
  assert.equal(spans.map((s) => s.name), ['create users', 'get users', 'find users']);
  for (const s of spans) {
    assert.is(s.kind, SpanKind.CLIENT);
    assert.is(parentOf(s), parentId);
    assert.is(s.spanContext().traceId, spans[0]!.spanContext().traceId);
    assert.is(s.attributes['db.system'], 'postgresql');
    assert.is(s.attributes['db.system.name'], 'postgresql');
    assert.is(s.attributes['db.collection.name'], 'users');
    assert.is(s.attributes['chatcore.outcome'], 'ok');
    assert.is(s.attributes['error.type'], undefined);
    assert.is(s.status.code, SpanStatusCode.UNSET);
    assert.type(s.attributes['chatcore.trace_id'], 'string');
  }
  assert.equal(spans.map((s) => s.attributes['db.operation.name']), ['create', 'get', 'find']);
  for (const s of spans) for (const v of Object.values(s.attributes)) assert.not.ok(String(v).includes(ada.id) || v === 'Ada', 'no id or value in attributes');
});

test('a failed call\'s span has status ERROR and error.type set to the error code; rejected input gets a span too', async () => {
  exporter.reset();
  const u = await db.users.create({ name: 'Bob', handle: 'bob' });
  exporter.reset();
  await inRequest('PATCH /users', async () => {
    await db.users.update(u.id, { age: 3 }, { expectedVersion: u.version + 1 }).then(() => assert.unreachable(), (e) => assert.instance(e, ConflictError));
    await db.users.create({ name: 7 } as never).then(() => assert.unreachable(), (e) => assert.instance(e, ValidationError));
  });
  const [conflict, rejected] = ours();
  assert.is(conflict!.name, 'update users');
  assert.is(conflict!.attributes['error.type'], 'CONFLICT');
  assert.is(conflict!.attributes['chatcore.outcome'], 'CONFLICT');
  assert.is(conflict!.status.code, SpanStatusCode.ERROR);
  assert.is(rejected!.name, 'create users');
  assert.is(rejected!.attributes['error.type'], 'VALIDATION');
  assert.is(rejected!.status.code, SpanStatusCode.ERROR);
  const request = exporter.getFinishedSpans().find((s) => s.name === 'PATCH /users')!;
  assert.is(parentOf(conflict!), request.spanContext().spanId);
  assert.is(parentOf(rejected!), request.spanContext().spanId);
});

test('concurrent requests: each call\'s span is a child of its own request (async context propagation)', async () => {
  exporter.reset();
  const ids = new Map<string, string>();
  await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      inRequest(`request ${i}`, async (parent) => {
        ids.set(`request ${i}`, parent.spanContext().spanId);
        await new Promise((r) => setTimeout(r, (7 - i) * 3));
        await db.users.count({ age: { gte: i } });
      }),
    ),
  );
  const counts = ours().filter((s) => s.name === 'count users');
  assert.is(counts.length, 8);
  const requestIds = new Set(ids.values());
  assert.is(new Set(counts.map(parentOf)).size, 8, 'eight distinct parents');
  for (const s of counts) assert.ok(requestIds.has(parentOf(s)!));
});

test('the same counters and the duration histogram go through the OTel meter', async () => {
  const { resourceMetrics } = await reader.collect();
  const all = resourceMetrics.scopeMetrics.filter((s) => s.scope.name === '@chatcore/metrics').flatMap((s) => s.metrics);
  const points = (name: string) => all.find((m) => m.descriptor.name === name)?.dataPoints ?? [];
  const at = <T>(name: string, attrs: Record<string, string>) =>
    (points(name) as DataPoint<T>[]).find((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v) && (attrs['chatcore.outcome'] !== 'ok' || p.attributes['error.type'] === undefined));
  const createOk = { 'db.collection.name': 'users', 'db.operation.name': 'create', 'chatcore.outcome': 'ok' };
  // Created by this database: Ada, Bob (the early database has no meter).
  assert.is(at<number>('chatcore.operations', createOk)?.value, 2);
  assert.is(at<number>('chatcore.operations', { 'db.operation.name': 'create', 'chatcore.outcome': 'VALIDATION', 'error.type': 'VALIDATION' })?.value, 1);
  assert.is(at<number>('chatcore.operations', { 'db.operation.name': 'count', 'chatcore.outcome': 'ok' })?.value, 8);
  // The histogram carries the conventions' attributes only (the SDK hashes them on every record): no outcome on success.
  const h = (points('db.client.operation.duration') as DataPoint<HistogramPoint>[])
    .find((p) => p.attributes['db.collection.name'] === 'users' && p.attributes['db.operation.name'] === 'create' && p.attributes['error.type'] === undefined)!;
  assert.is(h.value.count, 2);
  assert.ok(h.value.sum! > 0);
  assert.equal(h.attributes, { 'db.system.name': 'postgresql', 'db.collection.name': 'users', 'db.operation.name': 'create' });
  const failed = (points('db.client.operation.duration') as DataPoint<HistogramPoint>[]).find((p) => p.attributes['error.type'] === 'CONFLICT');
  assert.equal(failed?.attributes, { 'db.system.name': 'postgresql', 'db.collection.name': 'users', 'db.operation.name': 'update', 'error.type': 'CONFLICT' });
  const inFlight = at<number>('chatcore.operations.in_flight', { 'db.operation.name': 'count' });
  assert.is(inFlight?.value, 0);
});

test.after(async () => {
  await db.close();
  await early.close();
  await client.close();
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
  trace.disable();
  otelMetrics.disable();
  context.disable();
});

test.run();
