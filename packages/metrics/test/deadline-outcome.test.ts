import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AbortedError, createDatabase, TimeoutError } from '@chatcore/core';
import { memoryDriver } from '@chatcore/core/testing';
import type { Plugin } from '@chatcore/core/plugin';
import { metrics, type MetricsPlugin } from '../src/index.js';
import { histogram, scrape, sleep, users, value } from './helpers/fixtures.js';

// A backend that does not stop on the signal: its answer (a row, or the driver's error for the fired signal)
// comes `slowMs` later whatever the caller does.
function slowBackend(): Plugin & { slowMs: number; answered: number } {
  const plugin = {
    name: 'slow-backend',
    slowMs: 0,
    answered: 0,
    async around(op: Parameters<NonNullable<Plugin['around']>>[0], _ctx: unknown, next: Parameters<NonNullable<Plugin['around']>>[2]) {
      if (plugin.slowMs) await sleep(plugin.slowMs);
      try {
        return await next(op);
      } finally {
        plugin.answered++;
      }
    },
  };
  return plugin as Plugin & { slowMs: number; answered: number };
}

async function open() {
  const m = metrics();
  const slow = slowBackend();
  const db = createDatabase({ driver: memoryDriver(), repositories: { users }, plugins: [m, slow] });
  await db.connect();
  const u = await db.users.create({ name: 'a', handle: 'a' });
  slow.answered = 0;
  return { m, slow, db, id: u.id };
}

const GET = { repository: 'users', operation: 'get' };

async function read(m: MetricsPlugin, outcome: string) {
  const { families, samples } = await scrape(m.registry);
  return {
    calls: value(families, 'chatcore_operations_total', { ...GET, outcome }),
    inFlight: value(families, 'chatcore_operations_in_flight', GET),
    latency: histogram(samples, 'chatcore_operation_duration_seconds', { ...GET, outcome }),
  };
}

test('a call that times out counts as TIMEOUT, with its latency and out of flight, when the caller gets the error', async () => {
  const { m, slow, db, id } = await open();
  slow.slowMs = 400;
  const error = await db.users.get(id, { timeout: '50ms' }).catch((e: unknown) => e);
  assert.instance(error, TimeoutError);
  const now = await read(m, 'TIMEOUT');
  assert.is(now.calls, 1);
  assert.is(now.inFlight, 0);
  assert.ok(now.latency!.sum >= 0.045 && now.latency!.sum < 0.3, `latency ${now.latency!.sum} s is the caller's wait`);
  assert.is(slow.answered, 0, 'the backend has not answered yet');
  await sleep(500);
  assert.is(slow.answered, 1);
  const later = await read(m, 'TIMEOUT');
  assert.is(later.calls, 1, 'the late answer is not counted again');
  assert.is(later.latency!.count, 1);
  assert.is((await read(m, 'ok')).calls, undefined);
  await db.close();
});

test('a call its caller aborts counts as ABORTED when the caller gets the error, once', async () => {
  const { m, slow, db, id } = await open();
  slow.slowMs = 400;
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const error = await db.users.get(id, { signal: controller.signal }).catch((e: unknown) => e);
  assert.instance(error, AbortedError);
  const now = await read(m, 'ABORTED');
  assert.is(now.calls, 1);
  assert.is(now.inFlight, 0);
  assert.ok(now.latency!.sum < 0.3, `latency ${now.latency!.sum} s is the caller's wait`);
  await sleep(500);
  assert.is(slow.answered, 1);
  assert.is((await read(m, 'ABORTED')).calls, 1);
  assert.is((await read(m, 'ok')).calls, undefined);
  await db.close();
});

test('a call that ends before its deadline is counted once, by its own result', async () => {
  const { m, slow, db, id } = await open();
  slow.slowMs = 20;
  const controller = new AbortController();
  assert.ok(await db.users.get(id, { timeout: '2s', signal: controller.signal }));
  controller.abort();
  await sleep(30);
  const ok = await read(m, 'ok');
  assert.is(ok.calls, 1);
  assert.is(ok.inFlight, 0);
  assert.is((await read(m, 'ABORTED')).calls, undefined);
  await db.close();
});

test.run();
