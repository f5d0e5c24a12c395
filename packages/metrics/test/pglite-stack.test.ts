import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PGlite } from '@electric-sql/pglite';
import { ConflictError, createDatabase, NotFoundError, UniqueViolationError, ValidationError } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { pglite } from '@chatcore/pglite';
import { cache } from '@chatcore/cache';
import { audit } from '@chatcore/audit';
import { metrics } from '../src/index.js';
import { histogram, notes, quietStream, scrape, seriesCount, users, value } from './helpers/fixtures.js';

await requireService('redis');

const client = await PGlite.create();
const namespace = `metrics-${randomUUID().slice(0, 8)}`;
const m = metrics();
const auditor = audit({ sinks: { console: { stream: quietStream() } } });
// A generous Redis timeout: on a loaded machine a 150 ms bound turns a slow answer into a counted cache error.
const cached = cache({ redisUrl: 'redis://127.0.0.1:6379', namespace, repositories: { users: true }, redisTimeout: '5s' });
const db = createDatabase({ driver: pglite({ client }), repositories: { users, notes }, plugins: [m, auditor, cached] });
await db.connect();

async function rejects<E extends Error>(call: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  try {
    await call;
  } catch (e) {
    assert.instance(e, type);
    return e as E;
  }
  throw new Error(`expected ${type.name}`);
}

const op = (operation: string, outcome: string, repository = 'users') => ({ repository, operation, outcome });

test('a scripted sequence on PGlite, Redis and audit gives exact counts, histograms, cache and audit figures', async () => {
  const ada = await db.users.create({ name: 'Ada', handle: 'ada' });
  const bob = await db.users.create({ name: 'Bob', handle: 'bob' });
  await db.users.create({ name: 'Cy', handle: 'cy' });
  await db.notes.create({ body: 'note' });
  // users is cached: ada misses both tiers, then hits the local tier; bob misses (and so does find below).
  assert.is((await db.users.get(ada.id))?.name, 'Ada');
  assert.is((await db.users.get(ada.id))?.name, 'Ada');
  assert.is((await db.users.get(bob.id))?.name, 'Bob');
  await rejects(db.users.create({ name: 42 } as never), ValidationError);
  await rejects(db.users.create({ name: 'Ada 2', handle: 'ada' }), UniqueViolationError);
  await rejects(db.users.update(ada.id, { age: 37 }, { expectedVersion: ada.version + 5 }), ConflictError);
  const gone = await db.notes.create({ body: 'to delete' });
  assert.ok(await db.notes.delete(gone.id));
  await rejects(db.notes.update(gone.id, { body: 'x' }), NotFoundError);
  assert.is(await db.notes.delete(gone.id, { expectedVersion: 1 }), false, 'a missing record with a version is false, not a conflict');
  await rejects(db.users.delete(bob.id, { expectedVersion: bob.version + 1 }), ConflictError);
  const updated = await db.users.update(ada.id, { age: 37 }, { expectedVersion: ada.version });
  assert.is(updated.age, 37);
  assert.is((await db.users.find({ where: { age: { gte: 30 } } })).length, 1);
  await auditor.flush();

  const { text, families, samples } = await scrape(m.registry);
  const total = (labels: Record<string, string>) => value(families, 'chatcore_operations_total', labels);
  assert.is(total(op('create', 'ok')), 3);
  assert.is(total(op('create', 'ok', 'notes')), 2);
  assert.is(total(op('get', 'ok')), 3);
  assert.is(total(op('create', 'VALIDATION')), 1);
  assert.is(total(op('create', 'UNIQUE_VIOLATION')), 1);
  assert.is(total(op('update', 'CONFLICT')), 1);
  assert.is(total(op('update', 'ok')), 1);
  assert.is(total(op('update', 'NOT_FOUND', 'notes')), 1);
  assert.is(total(op('delete', 'ok', 'notes')), 2);
  assert.is(total(op('delete', 'CONFLICT')), 1);
  assert.is(total(op('find', 'ok')), 1);
  const counted = families.find((x) => x.name === 'chatcore_operations_total')!.metrics;
  assert.is(counted.length, 11, counted.map((s) => JSON.stringify(s.labels)).join('\n'));

  // The histogram sees every call that entered the onion; rejected input has no duration.
  const h = histogram(samples, 'chatcore_operation_duration_seconds', op('get', 'ok'))!;
  assert.is(h.count, 3);
  assert.ok(h.sum > 0 && h.sum < 10);
  assert.is(h.buckets['+Inf'], 3);
  assert.is(histogram(samples, 'chatcore_operation_duration_seconds', op('update', 'CONFLICT'))!.count, 1);
  assert.is(histogram(samples, 'chatcore_operation_duration_seconds', op('create', 'VALIDATION')), undefined);
  assert.is(value(families, 'chatcore_operations_in_flight', { repository: 'users', operation: 'get' }), 0);

  const stats = cached.stats();
  assert.is(value(families, 'chatcore_cache_hits_total', { repository: 'users', tier: 'local' }), 1);
  assert.is(value(families, 'chatcore_cache_misses_total', { repository: 'users', tier: 'local' }), 3);
  assert.is(value(families, 'chatcore_cache_misses_total', { repository: 'users', tier: 'shared' }), stats.repositories.users!.shared.misses);
  assert.is(value(families, 'chatcore_cache_errors_total', { repository: 'users', tier: 'shared' }), 0);
  assert.is(value(families, 'chatcore_cache_pending_invalidations'), 0);

  const a = auditor.stats();
  assert.ok(a.sealed > 10, `${a.sealed} audit events sealed`);
  assert.is(value(families, 'chatcore_audit_events_flushed_total', { plugin: 'audit' }), a.sealed);
  assert.is(value(families, 'chatcore_audit_queue_depth', { plugin: 'audit' }), 0);
  assert.is(value(families, 'chatcore_audit_events_dropped_total', { plugin: 'audit' }), 0);

  // PGlite: one component named after the driver, with its lock queue as "waiting".
  assert.is(value(families, 'chatcore_health_status', { component: 'pglite' }), 0);
  assert.is(value(families, 'chatcore_pool_waiting_requests', { component: 'pglite' }), 0);

  for (const secret of [ada.id, bob.id, 'Ada', 'Bob', 'ada', '37']) assert.not.ok(text.includes(`"${secret}"`), `no label value ${secret}`);
  assert.ok(seriesCount(families) > 0);
});

test('the counter, histogram and gauge declare their Prometheus types', async () => {
  const { families } = await scrape(m.registry);
  const type = (name: string) => families.find((x) => x.name === name)?.type;
  assert.is(type('chatcore_operations_total'), 'COUNTER');
  assert.is(type('chatcore_operation_duration_seconds'), 'HISTOGRAM');
  assert.is(type('chatcore_operations_in_flight'), 'GAUGE');
  assert.is(type('chatcore_cache_hits_total'), 'COUNTER');
  assert.is(type('chatcore_breaker_state'), 'GAUGE');
});

test.after(async () => {
  await cached.clear().catch(() => undefined);
  await db.close();
  await client.close();
});

test.run();
