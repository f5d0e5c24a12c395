import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f, UniqueViolationError, type Plugin } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '@chatcore/postgres';
import { audit } from '@chatcore/audit';
import { encryption } from '@chatcore/encryption';
import { metrics } from '../src/index.js';
import { histogram, quietStream, scrape, sleep, TABLE_SUFFIX, value } from './helpers/fixtures.js';

await requireService('postgres');

// An encrypted updateMany runs record by record in an implicit transaction.
// When PostgreSQL aborts that transaction (here a deadlock) the driver runs it
// again: the caller still made one call, which metrics count once and audit
// records once, with the outcome of the attempt that ended the call.
const table = `metrics_retry_notes_${TABLE_SUFFIX}`;
const notes = defineRepository('notes', { id: f.id(), tag: f.string(), secret: f.text().optional().sensitive(), version: f.version() }, { table });
// Its `tag` gets a deferred unique constraint: a statement that breaks it passes, the COMMIT fails.
const labels = defineRepository('labels', { id: f.id(), tag: f.string(), secret: f.text().optional().sensitive(), version: f.version() }, { table: `metrics_commit_labels_${TABLE_SUFFIX}` });
const url = process.env.CHATCORE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const key = randomBytes(32).toString('base64');
const attempts: number[] = [];
const rollbacks: Array<[number, boolean | undefined]> = [];
/** Below encryption (which reads and writes record by record): the attempt of each of its operations, and how attempts ended. */
const probe: Plugin = {
  name: 'probe',
  around(op, ctx, next) {
    if (ctx.method === 'updateMany' && ctx.transaction?.implicit) attempts.push(ctx.attempt);
    return next(op);
  },
  afterRollback(event) {
    if (event.implicit && event.operations.some((c) => c.ctx.method === 'updateMany')) rollbacks.push([event.attempt, event.retried]);
  },
};
const stream = quietStream();
const m = metrics();
const auditor = audit({ sinks: { console: { stream } }, slowQueryThreshold: 0 });
const driver = postgres({ url, poolSize: 3 });
const db = createDatabase({ driver, repositories: { notes, labels }, plugins: [m, auditor, encryption({ keys: [{ id: 'k1', key }] }), probe], schemaMode: 'apply' });
const other = createDatabase({ driver: postgres({ url, poolSize: 2 }), repositories: { notes }, plugins: [encryption({ keys: [{ id: 'k1', key }] })] });
await db.connect();
await other.connect();
const activity = driver.kysely().withTables<{ pg_stat_activity: { pid: number; wait_event_type: string | null; query: string | null } }>();
await driver.kysely().schema.alterTable(labels.schema.table).addUniqueConstraint(`${labels.schema.table}_tag`, ['tag'], (c) => c.deferrable().initiallyDeferred()).execute();

test.after(async () => {
  await db.close();
  await other.close();
});

/** Resolves once a statement on the table waits for a row lock. */
async function lockWait(): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const rows = await activity.selectFrom('pg_stat_activity').select('pid').where('wait_event_type', '=', 'Lock').where('query', 'like', `%${table}%`).execute();
    if (rows.length) return;
    await sleep(20);
  }
  throw new Error('no statement waited for a lock');
}

test('an updateMany whose implicit transaction the backend retries is one call: one sample, one audit outcome', async () => {
  const [a, b] = await db.notes.createMany([{ tag: 't', secret: 'a' }, { tag: 't', secret: 'b' }]);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  // Holds b, then (once the updateMany holds a and waits for b) asks for a: a deadlock, which PostgreSQL breaks by
  // aborting the transaction that waited first, the updateMany's.
  const holder = other.transaction(async (tx) => {
    await tx.notes.update(b!.id, { tag: 'held' });
    await gate;
    await tx.notes.update(a!.id, { tag: 'held' });
  });
  await sleep(50);
  const call = db.notes.updateMany({ id: { in: [a!.id, b!.id] } }, { secret: 'changed' });
  await lockWait();
  release();
  await holder;
  assert.is(await call, 2);
  assert.ok(attempts.length >= 2 && attempts.at(-1)! > 1, `the implicit transaction was retried (${attempts.join(', ')})`);
  const tried = [...new Set(attempts)];
  assert.equal(rollbacks, tried.slice(0, -1).map((n) => [n, true]), 'each rolled-back attempt says another follows');
  await auditor.flush();

  const { families, samples } = await scrape(m.registry);
  const labels = { repository: 'notes', operation: 'updateMany' };
  const counted = families.filter((x) => x.name === 'chatcore_operations_total').flatMap((x) => x.metrics).filter((s) => s.labels?.operation === 'updateMany');
  assert.equal(counted.map((s) => [s.labels!.outcome, Number(s.value)]), [['ok', 1]], 'one call, ok');
  assert.is(histogram(samples, 'chatcore_operation_duration_seconds', { ...labels, outcome: 'ok' })!.count, 1);
  assert.is(value(families, 'chatcore_operations_in_flight', labels), 0);

  const events = stream.text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
  const mine = events.filter((e) => e.method === 'updateMany');
  assert.equal(mine.filter((e) => e.type === 'operation').map((e) => [e.outcome, e.attempt]), [['ok', attempts.at(-1)]]);
  assert.is(mine.filter((e) => e.type === 'performance').length, 1);
  assert.equal((await db.notes.find({ orderBy: { tag: 'asc' } })).map((n) => [n.tag, n.secret]), [['held', 'changed'], ['held', 'changed']]);
});

test('an updateMany that went through but whose implicit transaction failed to commit counts and is audited once, as that failure', async () => {
  await db.labels.createMany([{ tag: 'a', secret: 'a' }, { tag: 'b', secret: 'b' }]);
  const error = await db.labels.updateMany({}, { tag: 'same', secret: 'changed' }).then(() => undefined, (e: unknown) => e);
  assert.instance(error, UniqueViolationError);
  await auditor.flush();

  const { families, samples } = await scrape(m.registry);
  const counted = families.filter((x) => x.name === 'chatcore_operations_total').flatMap((x) => x.metrics).filter((s) => s.labels?.repository === 'labels' && s.labels.operation === 'updateMany');
  assert.equal(counted.map((s) => [s.labels!.outcome, Number(s.value)]), [['UNIQUE_VIOLATION', 1]], 'one call, with the commit\'s error');
  assert.is(histogram(samples, 'chatcore_operation_duration_seconds', { repository: 'labels', operation: 'updateMany', outcome: 'UNIQUE_VIOLATION' })!.count, 1);
  assert.is(value(families, 'chatcore_operations_in_flight', { repository: 'labels', operation: 'updateMany' }), 0);

  const events = stream.text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
  const mine = events.filter((e) => e.repository === 'labels' && e.method === 'updateMany');
  assert.equal(mine.filter((e) => e.type === 'operation').map((e) => [e.outcome, (e.error as { class?: string } | undefined)?.class]), [['error', 'UniqueViolationError']]);
  assert.equal(mine.filter((e) => e.type === 'performance'), [], 'no performance event for a call that failed');
  assert.equal((await db.labels.find({ orderBy: { tag: 'asc' } })).map((n) => [n.tag, n.secret]), [['a', 'a'], ['b', 'b']]);
});

test.run();
