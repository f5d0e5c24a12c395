import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionError, TimeoutError } from '@chatcore/core';
import { ProbedBreaker, resolveBreakerOptions, type ProbedBreakerSettings } from '@chatcore/core/driver';

// The probed breaker that drivers share, on its own: evidence is a
// ConnectionError, a lost session is a ConnectionError with info.lost.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const down = () => new ConnectionError('refused', { info: { phase: 'connect' } });
const lost = () => new ConnectionError('session killed', { info: { lost: true } });

function breaker(backendUp: () => boolean, extra: Partial<ProbedBreakerSettings> = {}) {
  const stats = { probes: 0 };
  const b = new ProbedBreaker({
    options: resolveBreakerOptions({ failures: 3, halfOpenAfter: 200 }),
    counts: (e) => e instanceof ConnectionError && e.info?.lost !== true,
    isSessionLoss: (e) => e instanceof ConnectionError && e.info?.lost === true,
    probe: async () => {
      stats.probes++;
      await sleep(2);
      if (!backendUp()) throw down();
    },
    probeEveryMs: 10,
    lossEvidence: (e) => e,
    openError: (cause, br) => new ConnectionError(`open after ${br.options.failures} failures; nothing was sent`, { cause, info: { breaker: br.state } }),
    ...extra,
  });
  return { b, stats };
}

test('only evidence counts: other failures never open it', async () => {
  const { b } = breaker(() => true);
  for (let i = 0; i < 10; i++) {
    await b.run(() => Promise.reject(new Error('unique violation'))).catch(() => undefined);
    await b.run(() => Promise.reject(new TimeoutError('caller gave up'))).catch(() => undefined);
  }
  assert.is(b.state, 'closed');
  assert.is(b.opened, 0);
  b.dispose();
});

test('`failures` consecutive counted failures open it; then calls fail fast without running', async () => {
  let up = false;
  const { b } = breaker(() => up);
  for (let i = 0; i < 3; i++) {
    const err = await b.run(() => Promise.reject(down())).catch((e: unknown) => e);
    assert.instance(err, ConnectionError);
    assert.is((err as Error).message, 'refused', 'a counted failure reaches the caller as it was');
  }
  assert.is(b.state, 'open');
  assert.is(b.opened, 1);
  assert.ok(b.refusing);
  let ran = false;
  const err = await b.run(async () => { ran = true; }).catch((e: unknown) => e);
  assert.not.ok(ran, 'nothing is sent while open');
  assert.instance(err, ConnectionError);
  assert.match((err as Error).message, /nothing was sent/);
  assert.is((err as ConnectionError).info?.breaker, 'open');
  up = true;
  b.dispose();
});

test('a success resets the count; `ignore` keeps a failure uncounted', async () => {
  const { b } = breaker(() => true);
  for (let round = 0; round < 3; round++) {
    await b.run(() => Promise.reject(down())).catch(() => undefined);
    await b.run(() => Promise.reject(down())).catch(() => undefined);
    await b.run(() => Promise.reject(down()), () => true).catch(() => undefined);
    assert.is(await b.run(() => Promise.resolve(7)), 7);
  }
  assert.is(b.state, 'closed');
  b.dispose();
});

test('while open, the first probe that gets an answer closes it', async () => {
  let up = false;
  // halfOpenAfter far beyond the wait below: only a probe can have closed it (wide margins for a loaded machine).
  const { b, stats } = breaker(() => up, { options: resolveBreakerOptions({ failures: 3, halfOpenAfter: 10_000 }) });
  for (let i = 0; i < 3; i++) await b.run(() => Promise.reject(down())).catch(() => undefined);
  // Probes every 10 ms: wait for two of them (a loaded machine may run fewer than the wall clock says), at most 5 s.
  const opened = Date.now();
  while (stats.probes < 2 && Date.now() - opened < 5000) await sleep(5);
  assert.ok(stats.probes >= 2, `probed while open (${stats.probes} in ${Date.now() - opened} ms)`);
  assert.is(b.state, 'open', 'failed probes keep it open');
  up = true;
  const since = Date.now();
  while (b.state !== 'closed' && Date.now() - since < 8000) await sleep(5);
  assert.is(b.state, 'closed', `still ${b.state} 8 s after the backend answered`);
  assert.ok(Date.now() - opened < 8000, `closed ${Date.now() - since} ms after the backend answered: by a probe (every 10 ms), before halfOpenAfter (10 s)`);
  assert.is(await b.run(() => Promise.resolve('ok')), 'ok');
  b.dispose();
});

test('a burst of lost sessions costs one probe and counts at most once', async () => {
  let up = true;
  const { b, stats } = breaker(() => up);
  await Promise.all(Array.from({ length: 20 }, () => b.run(() => Promise.reject(lost())).catch(() => undefined)));
  await sleep(20);
  assert.is(stats.probes, 1, 'one probe for the burst');
  assert.is(b.state, 'closed', 'the backend answered: not counted');
  up = false;
  for (let burst = 0; burst < 2; burst++) {
    await Promise.all(Array.from({ length: 20 }, () => b.run(() => Promise.reject(lost())).catch(() => undefined)));
    await sleep(20);
  }
  assert.is(b.state, 'closed', 'two bursts on a dead backend count twice, below failures: 3');
  await Promise.all(Array.from({ length: 20 }, () => b.run(() => Promise.reject(lost())).catch(() => undefined)));
  await sleep(20);
  assert.is(b.state, 'open', 'the third counts and opens it');
  b.dispose();
});

test('half-open: other calls fail fast while the test call runs; a probe answer decides it', async () => {
  let up = false;
  const { b } = breaker(() => up, { probe: undefined });
  for (let i = 0; i < 3; i++) await b.run(() => Promise.reject(down())).catch(() => undefined);
  assert.is(b.state, 'open');
  await sleep(220);
  let release!: (v: string) => void;
  const testCall = b.run(() => new Promise<string>((r) => { release = r; }));
  await sleep(1);
  assert.is(b.state, 'half-open');
  const other = await b.run(() => Promise.resolve('x')).catch((e: unknown) => e);
  assert.instance(other, ConnectionError, 'refused while the test runs');
  release('done');
  assert.is(await testCall, 'done');
  assert.is(b.state, 'closed');
  up = true;
  b.dispose();
});

test('isolate holds it open until disposed', async () => {
  const { b } = breaker(() => true);
  const handle = b.isolate();
  assert.is(b.state, 'isolated');
  const err = await b.run(() => Promise.resolve(1)).catch((e: unknown) => e);
  assert.instance(err, ConnectionError);
  handle.dispose();
  assert.is(await b.run(() => Promise.resolve(2)), 2);
  b.dispose();
});

test.run();
