import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, ConnectionError, createDatabase, defineRepository, f, UniqueViolationError, ValidationError } from '@chatcore/core';
import { closedPort } from '@chatcore/core/testing';
import { firestore, type FirestoreOptions } from '../src/index.js';
import { countsAgainstBackend, neverSent } from '../src/failure-evidence.js';
import { mapError } from '../src/error-map.js';
import { useFirestoreEmulator } from '../src/testing/index.js';
import { suffix, testDriver } from './helpers/emulator.js';

// The breaker against a closed port (no emulator needed) and against a live
// emulator (answers from a live backend must never open it).
process.env.METADATA_SERVER_DETECTION ??= 'none';
const port = await closedPort();
const notes = defineRepository('notes', { id: f.id(), body: f.text({ max: 20 }) }, { table: `breaker_${suffix()}` });
const closed = (options: Partial<FirestoreOptions> = {}) =>
  createDatabase({ driver: firestore({ projectId: 'nobody', emulatorHost: `127.0.0.1:${port}`, callTimeout: '2s', ...options }), repositories: { notes } });

async function errorOf(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  assert.unreachable('the call succeeded');
  return undefined;
}

test('retry and breaker take the shapes core defines, default on, and `false` turns them off', () => {
  const d = firestore({ projectId: 'p' });
  assert.equal(d.options.retry, { maxRetries: 3, initialDelayMs: 50, maxDelayMs: 1000 });
  assert.equal(d.options.breaker, { failures: 5, halfOpenAfterMs: 2000 });
  const off = firestore({ projectId: 'p', retry: false, breaker: false });
  assert.is(off.options.retry, false);
  assert.is(off.options.breaker, false);
  assert.is(off.breakerState, 'disabled');
  assert.equal(firestore({ projectId: 'p', breaker: { failures: 2 } }).options.breaker, { failures: 2, halfOpenAfterMs: 2000 });
});

test('bad retry and breaker settings raise ConfigError naming the key', () => {
  for (const [bad, key] of [[{ retry: { maxRetries: -1 } }, 'retry.maxRetries'], [{ breaker: { failures: 0 } }, 'breaker.failures'], [{ breaker: { halfOpenAfter: 'soon' } }, 'breaker.halfOpenAfter']] as const) {
    const error = (() => { try { firestore({ projectId: 'p', ...(bad as object) }); } catch (e) { return e; } return undefined; })();
    assert.instance(error, ConfigError, key);
    assert.ok((error as ConfigError).problems.some((p) => p.path === key), `${key}: ${(error as Error).message}`);
  }
});

test('only evidence that Firestore cannot be reached counts against the breaker', () => {
  const sdk = (code: number, message: string) => Object.assign(new Error(message), { code });
  const refused = sdk(14, '14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1');
  const dropped = sdk(14, '14 UNAVAILABLE: Connection dropped');
  assert.ok(neverSent(refused));
  assert.not.ok(neverSent(dropped));
  assert.ok(neverSent(sdk(4, '4 DEADLINE_EXCEEDED: Deadline exceeded after 2.001s,Waiting for LB pick')));
  assert.not.ok(neverSent(sdk(4, '4 DEADLINE_EXCEEDED: Deadline exceeded after 2.001s,LB pick: 0.001s,remote_addr=127.0.0.1:8080')));
  assert.ok(countsAgainstBackend(mapError(refused, 'q')));
  assert.ok(countsAgainstBackend(mapError(sdk(4, 'Deadline exceeded'), 'q')), 'no answer within callTimeout');
  assert.not.ok(countsAgainstBackend(mapError(dropped, 'q')), 'a dropped connection is checked with a probe, not counted');
  for (const code of [3, 5, 6, 7, 8, 9, 10, 16]) assert.not.ok(countsAgainstBackend(mapError(sdk(code, 'answer'), 'q')), `gRPC ${code}`);
});

test('an unreachable backend opens the breaker: calls then fail fast, nothing sent, and health says why', async () => {
  const db = closed({ breaker: { failures: 3, halfOpenAfter: 60_000 } });
  await db.connect();
  for (let i = 0; i < 3; i++) {
    const error = await errorOf(() => db.notes.get('some-id'));
    assert.instance(error, ConnectionError);
    assert.is((error as ConnectionError).info.breaker, undefined, `call ${i} reached the backend`);
  }
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    const error = await errorOf(() => (i % 2 ? db.notes.create({ body: 'x' }) : db.notes.find({ where: { body: 'x' } })));
    times.push(performance.now() - started);
    assert.instance(error, ConnectionError);
    assert.is((error as ConnectionError).info.breaker, 'open');
    assert.is((error as ConnectionError).info.sent, false);
    assert.match((error as Error).message, /failed fast without contacting Firestore/);
  }
  times.sort((a, b) => a - b);
  // The median, well under the 2 s callTimeout a call sent to the SDK would wait: on a loaded machine (load average
  // 30-60 on two cores) a call of a millisecond is often paused for 50-100 ms by the scheduler, several in 20.
  assert.ok(times[10]! < 200, `fast-fail took ${times[10]!.toFixed(1)} ms (median), up to ${times[19]!.toFixed(1)} ms`);
  const h = await db.health();
  assert.is(h.status, 'down');
  const breaker = h.components.find((c) => c.name === 'breaker')!;
  assert.is(breaker.status, 'down');
  assert.is(breaker.details?.state, 'open');
  assert.match(String(breaker.details?.reason), /unavailable/i);
  await db.close();
});

test('answers from a live backend and bad input never open the breaker', async () => {
  const emulator = await useFirestoreEmulator();
  const driver = testDriver(emulator, { breaker: { failures: 2 } });
  const db = createDatabase({ driver, repositories: { notes } });
  await db.connect();
  const first = await db.notes.create({ body: 'one' });
  for (let i = 0; i < 6; i++) {
    assert.instance(await errorOf(() => db.notes.create({ id: first.id, body: 'dup' })), UniqueViolationError);
    assert.instance(await errorOf(() => db.notes.create({ body: 'x'.repeat(50) })), ValidationError);
    assert.is(await db.notes.get(`missing-${i}`), null);
  }
  assert.is(driver.breakerState, 'closed');
  assert.is((await db.notes.get(first.id))?.body, 'one');
  await db.close();
  await emulator.stop();
});

test.run();
