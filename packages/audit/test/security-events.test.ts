import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ValidationError } from '@chatcore/core';
import { type Plugin } from '@chatcore/core/plugin';
import { verifyAuditTrail } from '@chatcore/audit';
import { CapturedSink, openDb } from './helpers/fixtures.js';

const security = (sink: CapturedSink) => sink.events(true).filter((e) => e.type === 'security');

test('an access-denied event reported by the application is recorded with its actor, ids and trace id', async () => {
  const sink = new CapturedSink();
  const { db } = await openDb('memory', { sinks: { console: { stream: sink.stream } } });
  db.reportSecurityEvent({ type: 'access_denied', message: 'not an admin', repository: 'users', ids: ['u1'], actor: 'user:9', traceId: 't-9', details: { role: 'guest', value: 'hidden' } });
  await db.close();
  const [e] = security(sink);
  assert.equal([e!.event, e!.message, e!.actor, e!.traceId, e!.ids, e!.details], ['access_denied', 'not an admin', 'user:9', 't-9', ['u1'], { role: 'guest' }]);
});

test('a validation failure raised below the audit plugin that looks like an injection becomes an error event and an injection_suspected event', async () => {
  const sink = new CapturedSink();
  const strict: Plugin = {
    name: 'strict',
    callOptions: ['probe'],
    async beforeRead({ ctx }) {
      if (ctx.options.probe) throw new ValidationError([{ path: `name' OR '1'='1`, message: 'unknown field; DROP TABLE users; --' }]);
    },
  };
  const { db } = await openDb('memory', { sinks: { console: { stream: sink.stream } } }, { plugins: [strict] });
  let caught: unknown;
  try { await db.users.count({} as never, { probe: true, actor: 'user:x' } as never); } catch (e) { caught = e; }
  assert.ok(caught instanceof ValidationError);
  await db.close();
  // Recorded once: the operation's error event (the onion ran), not also as input rejected before it.
  const ops = sink.events(true).filter((e) => e.type === 'operation');
  assert.equal(ops.map((e) => [e.outcome, (e.error as { code: string }).code, e.stage]), [['error', 'VALIDATION', undefined]]);
  const sec = security(sink);
  assert.is(sec.length, 1);
  const [s] = sec;
  assert.is(s!.event, 'injection_suspected');
  assert.is(s!.actor, 'user:x');
  assert.ok((s!.details as { patterns: string[] }).patterns.includes('sql_tautology'));
  assert.not.ok(sink.all.includes("'1'='1"), 'the attack text itself is not copied into the trail');
});

test('input that core rejects before the plugins reaches the trail through onInvalidInput, injection included', async () => {
  const sink = new CapturedSink();
  const { db } = await openDb('memory', { sinks: { console: { stream: sink.stream } } });
  const before = await db.users.count({} as never);
  let caught: unknown;
  await db.withContext({ actor: 'user:7' }, async () => {
    try { await db.users.find({ where: { "name'; DROP TABLE users; --": 'x' } } as never); } catch (e) { caught = e; }
  });
  assert.ok(caught instanceof ValidationError, 'core rejects the unknown field with a typed error');
  assert.is(await db.users.count({} as never), before, 'nothing changed');
  await db.close();
  const sec = security(sink);
  assert.is(sec.length, 1);
  const [s] = sec;
  assert.is(s!.event, 'injection_suspected');
  assert.ok((s!.details as { patterns: string[] }).patterns.includes('sql_statement'));
  assert.is(s!.actor, 'user:7', 'the ambient actor is recorded');
  const op = sink.events(true).find((e) => e.type === 'operation' && e.stage === 'validation')!;
  assert.is(op.method, 'find');
  assert.is((op.error as { code: string }).code, 'VALIDATION');
});

test('anomalies: an actor reading more than N records in a window, and a bulk delete above N rows', async () => {
  const sink = new CapturedSink();
  const { db } = await openDb('memory', { sinks: { console: { stream: sink.stream } }, anomalies: { readsPerActor: { limit: 5, window: '1m' }, bulkDelete: { limit: 2 } } });
  await db.users.createMany(Array.from({ length: 4 }, (_, i) => ({ name: `n${i}`, email: `a${i}@x.io`, note: 'bulk' })) as never);
  await db.withContext({ actor: 'user:reader' }, async () => {
    await db.users.find({} as never);
    await db.users.find({} as never);
    await db.users.find({} as never);
  });
  await db.users.find({} as never, { actor: 'user:other' });
  await db.users.deleteMany({ note: 'bulk' } as never, { actor: 'user:cleaner' });
  await db.close();
  const anomalies = security(sink).filter((e) => e.event === 'anomaly');
  assert.equal(anomalies.map((e) => [e.actor, (e.details as { rule: string }).rule]), [['user:reader', 'readsPerActor'], ['user:cleaner', 'bulkDelete']]);
  assert.is((anomalies[1]!.details as { count: number }).count, 4);
});

test('slow operations get a performance event with the query shape and no values', async () => {
  const sink = new CapturedSink();
  const { db } = await openDb('memory', { sinks: { console: { stream: sink.stream } }, slowQueryThreshold: 0 });
  await db.users.find({ where: { name: 'Zelda-value', age: { gte: 73129 } }, orderBy: { age: 'desc' }, limit: 3 } as never);
  await db.close();
  const perf = sink.events(true).filter((e) => e.type === 'performance');
  assert.is(perf.length, 1);
  assert.is(perf[0]!.shape, 'query where=and(eq(name),gte(age)) order=age:desc,id:desc limit');
  const text = JSON.stringify(perf.map(({ hash: _h, prevHash: _p, ...rest }) => rest));
  assert.not.ok(text.includes('Zelda') || text.includes('73129'));
});

test('a full queue with overflow "drop" counts dropped events and reports how many in a security event', async () => {
  const sink = new CapturedSink();
  const { db, plugin } = await openDb('memory', { sinks: { console: { stream: sink.stream } }, queue: { capacity: 5, overflow: 'drop', batchSize: 2 } });
  await Promise.all(Array.from({ length: 200 }, () => db.users.count({} as never)));
  await plugin.flush();
  const dropped = plugin.stats().dropped;
  assert.ok(dropped > 0, 'the burst overflowed the queue');
  const health = await db.health();
  assert.is(health.components.find((c) => c.name === 'audit')!.status, 'degraded');
  await db.close();
  const reports = security(sink).filter((e) => e.event === 'events_dropped');
  assert.is(reports.reduce((n, e) => n + (e.details as { count: number }).count, 0), dropped);
  assert.is(sink.events(true).filter((e) => e.type === 'operation').length + dropped, 200);
  assert.ok((await verifyAuditTrail(sink.events(true))).ok);
});

test('a full queue with the default back-pressure loses nothing', async () => {
  const sink = new CapturedSink();
  const { db, plugin } = await openDb('memory', { sinks: { console: { stream: sink.stream } }, queue: { capacity: 5, batchSize: 2 } });
  await Promise.all(Array.from({ length: 200 }, () => db.users.count({} as never)));
  assert.is(plugin.stats().dropped, 0);
  await db.close();
  assert.is(sink.events(true).filter((e) => e.type === 'operation').length, 200);
  assert.ok((await verifyAuditTrail(sink.events(true))).ok);
});

test('with the outbox, security events are written there too and chained', async () => {
  const { db, plugin } = await openDb('memory', { sinks: { outbox: true } });
  db.reportSecurityEvent({ type: 'access_denied', message: 'no', repository: 'users', actor: 'user:3' });
  await new Promise((r) => setTimeout(r, 10));
  await plugin.flush();
  const reader = plugin.outboxReader();
  const events = [];
  for await (const e of reader) events.push(e);
  assert.equal(events.map((e) => [e.type, e.event, e.actor]), [['security', 'access_denied', 'user:3']]);
  assert.ok((await verifyAuditTrail(reader, await reader.checkpoints())).ok);
  await db.close();
});

test.run();
