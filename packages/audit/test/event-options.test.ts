import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@chatcore/core';
import { audit } from '@chatcore/audit';
import { CapturedSink, openDb } from './helpers/fixtures.js';

async function readsRecorded(reads: Parameters<typeof audit>[0]['reads']): Promise<number> {
  const sink = new CapturedSink();
  const { db } = await openDb('memory', { sinks: { console: { stream: sink.stream } }, reads });
  const u = await db.users.create({ name: 'a', email: 'a@x.io' } as never) as { id: string };
  for (let i = 0; i < 20; i++) await db.users.get(u.id);
  await db.close();
  const ops = sink.operations();
  assert.is(ops.filter((e) => e.family !== 'read').length, 1, 'writes are always recorded');
  return ops.filter((e) => e.family === 'read').length;
}

test("reads: 'all' records every read, 'none' only writes, a sample rate of 0 none and of 1 all", async () => {
  assert.is(await readsRecorded('all'), 20);
  assert.is(await readsRecorded('none'), 0);
  assert.is(await readsRecorded({ sampleRate: 0 }), 0);
  assert.is(await readsRecorded({ sampleRate: 1 }), 20);
});

test('a bulk call is one event: ids capped at maxIds, count holds the total', async () => {
  const sink = new CapturedSink();
  const { db } = await openDb('memory', { sinks: { console: { stream: sink.stream } }, maxIds: 10 });
  const rows = await db.users.createMany(Array.from({ length: 25 }, (_, i) => ({ name: `n${i}`, email: `b${i}@x.io`, note: 'bulk' })) as never) as Array<{ id: string }>;
  await db.users.deleteMany({ note: 'bulk' } as never);
  await db.close();
  const ops = sink.operations();
  assert.equal(ops.map((e) => [e.method, e.count, (e.ids as string[]).length, e.idsTruncated]), [['createMany', 25, 10, true], ['deleteMany', 25, 10, true]]);
  assert.equal(ops[0]!.ids, rows.slice(0, 10).map((r) => r.id));
});

test('findPage and iterate record the ids the caller received, not the look-ahead row', async () => {
  const sink = new CapturedSink();
  const { db } = await openDb('memory', { sinks: { console: { stream: sink.stream } } });
  await db.users.createMany(Array.from({ length: 5 }, (_, i) => ({ name: `n${i}`, email: `p${i}@x.io`, note: 'page' })) as never);
  const page = await db.users.findPage({ where: { note: 'page' }, limit: 3 } as never) as { items: Array<{ id: string }> };
  const all: string[] = [];
  for await (const u of db.users.iterate({ where: { note: 'page' } } as never, { pageSize: 2 })) all.push((u as { id: string }).id);
  await db.close();
  const reads = sink.operations().filter((e) => e.family === 'read');
  assert.equal(reads[0]!.ids, page.items.map((u) => u.id));
  assert.equal(reads.slice(1).flatMap((e) => e.ids as string[]), all);
});

test('bad options are refused with a ConfigError naming the option', () => {
  for (const [options, pattern] of [
    [{ reads: { sampleRate: 2 } }, /reads/],
    [{ maxIds: 0 }, /^audit\.maxIds: expected an integer >= 1, got a number 0\.$/],
    [{ queue: { flushAfter: 'soon' } }, /^audit\.queue\.flushAfter: expected a duration in milliseconds or like "30s"/],
    [{ queue: { flushAfter: '30d' } }, /^audit\.queue\.flushAfter: expected a duration <= 2147483647 ms/],
    [{ sinks: { outbox: { chainDelay: 2 ** 31 } } }, /^audit\.sinks\.outbox\.chainDelay: expected a duration <= 2147483647 ms/],
    [{ queue: { overflow: 'spill' } }, /overflow/],
    [{ checkpoints: { every: -1 } }, /checkpoints.every/],
  ] as const) {
    let caught: unknown;
    try { audit(options as never); } catch (e) { caught = e; }
    assert.ok(caught instanceof ConfigError, JSON.stringify(options));
    assert.match((caught as Error).message, pattern);
  }
});

test('a file sink that cannot be written is refused at connect with a ConfigError', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'audit-broken-'));
  try {
    await writeFile(join(dir, 'not-a-dir'), 'x');
    let caught: unknown;
    try { await openDb('memory', { sinks: { file: join(dir, 'not-a-dir', 'audit.log') } }); } catch (e) { caught = e; }
    assert.ok(caught instanceof ConfigError);
    assert.match((caught as Error).message, /cannot write the audit file/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
