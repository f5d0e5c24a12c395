import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ChatcoreError, ConnectionError, createDatabase, defineRepository, f, TimeoutError, UniqueViolationError, type Database } from '@chatcore/core';
import { firestore, type FirestoreDriver, type FirestoreOptions } from '../src/index.js';
import { ownEmulator } from './helpers/own-emulator.js';

// The emulator of this file, on a free port, killed, stopped and restarted
// under load. Its data lives in memory, so a restart loses it: the tests
// assert on behaviour (typed errors, fast failure while the breaker is
// open, health, recovery), not on the data written before the restart.
const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));
process.on('uncaughtException', (err) => unhandled.push(err));

const emulator = await ownEmulator();
const counters = defineRepository('counters', { id: f.id(), n: f.integer() }, { table: 'chaos_counters' });
const notes = defineRepository('notes', { id: f.id(), body: f.string() }, { table: 'chaos_notes' });
const repositories = { counters, notes };
type Db = Database<typeof repositories>;

const IN_FLIGHT = 16;
/** Calls refused by an open breaker must fail within this. */
const FAST_FAIL_MS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Call { kind: 'read' | 'create' | 'increment'; worker: number; started: number; ended: number; error?: unknown }

function open(options: Partial<FirestoreOptions> = {}): { db: Db; driver: FirestoreDriver } {
  const driver = firestore({ projectId: `chaos-${randomUUID().slice(0, 8)}`, emulatorHost: emulator.host, ...options });
  return { db: createDatabase({ driver, repositories }), driver };
}

/** 16 workers, each with one call in flight: reads, creates with client ids and increments, mixed. */
function startLoad(db: Db, ids: string[]) {
  const calls: Call[] = [];
  let stopping = false;
  const worker = async (w: number) => {
    for (let i = 0; !stopping; i++) {
      const kind: Call['kind'] = w < 10 ? 'read' : w < 13 ? 'create' : 'increment';
      const id = ids[(w * 7 + i) % ids.length]!;
      const call: Call = { kind, worker: w, started: performance.now(), ended: 0 };
      try {
        if (kind === 'read') await db.counters.get(id);
        else if (kind === 'create') await db.notes.create({ id: randomUUID(), body: `w${w}-${i}` });
        else await db.counters.update(id, { n: { increment: 1 } });
      } catch (error) {
        call.error = error;
        // When the call returned, not after the back-off below.
        call.ended = performance.now();
        // An error other than a refused call means the backend answered or timed out: do not spin.
        if (!(error instanceof ConnectionError && error.info.breaker)) await sleep(5);
      }
      call.ended ||= performance.now();
      calls.push(call);
      // A caller refused by the breaker backs off a little, as an application would.
      if (call.error) await sleep(10);
    }
  };
  const workers = Array.from({ length: IN_FLIGHT }, (_, w) => worker(w));
  return { calls, stop: async () => { stopping = true; await Promise.all(workers); return calls; } };
}

/** Poll health every 200 ms: the statuses seen, in order, with their times. */
function watchHealth(db: Db) {
  const seen: { at: number; status: string; breaker: unknown }[] = [];
  let stopping = false;
  const done = (async () => {
    while (!stopping) {
      const h = await db.health();
      seen.push({ at: performance.now(), status: h.status, breaker: h.components.find((c) => c.name === 'breaker')?.details?.state });
      await sleep(200);
    }
  })();
  return { seen, stop: async () => { stopping = true; await done; return seen; } };
}

async function seed(db: Db): Promise<string[]> {
  const rows = await db.counters.createMany(Array.from({ length: 20 }, () => ({ n: 0 })));
  return rows.map((r) => r.id as string);
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
function tally(calls: Call[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) {
    const key = !c.error ? 'ok' : c.error instanceof ConnectionError && c.error.info.breaker ? 'breaker-open' : (c.error as Error).constructor.name;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}
/** Per reader worker: ms from `t` to the end of its first successful read that started after `t`. */
function firstGoodRead(calls: Call[], t: number): number[] {
  const out: number[] = [];
  for (let w = 0; w < IN_FLIGHT; w++) {
    const first = calls.find((c) => c.worker === w && c.kind === 'read' && !c.error && c.started >= t);
    if (first) out.push(first.ended - t);
  }
  return out;
}
function assertTyped(calls: Call[]): void {
  const untyped = calls.filter((c) => c.error && !(c.error instanceof ChatcoreError));
  assert.equal(untyped.map((c) => String(c.error)).slice(0, 3), [], 'every failure is a typed chatcore error');
}

test('emulator killed under load, restarted after 4 s: typed errors, the breaker opens and fails fast, health goes down then up, reads come back', async () => {
  const { db, driver } = open();
  await db.connect();
  const ids = await seed(db);
  const load = startLoad(db, ids);
  const health = watchHealth(db);
  await sleep(1500);
  const killedAt = performance.now();
  emulator.signal('SIGKILL');
  await sleep(4000);
  await emulator.start();
  const accepting = performance.now();
  const answering = await emulator.answering();
  // The data is gone with the old process: seed again (once the driver is back), so reads find their records.
  while (driver.breakerState !== 'closed') await sleep(20);
  for (let left = ids; left.length;) {
    const failed = await Promise.all(left.map((id) => db.counters.create({ id, n: 0 }).then(() => undefined, (e: unknown) => (e instanceof UniqueViolationError ? undefined : id))));
    left = failed.filter((id): id is string => id !== undefined);
  }
  const seededAgain = performance.now();
  await sleep(3000);
  // More than 50 reads after the new seed, however slowly a loaded machine runs them (at most 30 s more).
  const readsAfterSeed = () => load.calls.filter((c) => c.started >= seededAgain && c.kind === 'read').length;
  for (const until = performance.now() + 30_000; readsAfterSeed() <= 50 && performance.now() < until;) await sleep(100);
  const calls = await load.stop();
  const seen = await health.stop();

  const outage = calls.filter((c) => c.ended >= killedAt && c.started <= answering);
  const refused = outage.filter((c) => c.error instanceof ConnectionError && c.error.info.breaker === 'open').map((c) => c.ended - c.started);
  const recovery = firstGoodRead(calls, answering);
  const readers = new Set(calls.filter((c) => c.kind === 'read').map((c) => c.worker)).size;
  const afterSeed = calls.filter((c) => c.started >= seededAgain && c.kind === 'read');
  console.log(`  kill/restart: emulator accepting ${(accepting - killedAt).toFixed(0)} ms after the kill, answering ${(answering - accepting).toFixed(0)} ms later`);
  console.log(`  calls during the outage ${JSON.stringify(tally(outage))}; after recovery ${JSON.stringify(tally(calls.filter((c) => c.started >= answering)))}`);
  console.log(`  breaker-open fast-fail: p50 ${pct(refused, 0.5).toFixed(2)} ms, p99 ${pct(refused, 0.99).toFixed(2)} ms, max ${Math.max(...refused).toFixed(2)} ms (${refused.length} calls)`);
  console.log(`  first good read per reader after the emulator answered again: p50 ${pct(recovery, 0.5).toFixed(0)} ms, max ${Math.max(...recovery).toFixed(0)} ms (${recovery.length}/${readers} readers)`);
  console.log(`  health: ${seen.map((s) => `${s.status}/${String(s.breaker)}`).filter((s, i, a) => s !== a[i - 1]).join(' -> ')}`);

  assertTyped(calls);
  assert.ok(refused.length > 0, 'the breaker opened and refused calls');
  assert.ok(pct(refused, 0.99) < FAST_FAIL_MS, `refused calls took up to ${pct(refused, 0.99).toFixed(1)} ms (p99)`);
  assert.ok(seen.some((s) => s.at > killedAt && s.at < accepting && s.status === 'down' && s.breaker === 'open'), 'health said down, breaker open, during the outage');
  assert.is(seen[seen.length - 1]!.status, 'up', 'health is up again');
  assert.is(recovery.length, readers, 'every reader read again');
  assert.ok(Math.max(...recovery) < 2000, `slowest reader back ${Math.max(...recovery).toFixed(0)} ms after the emulator answered`);
  assert.ok(afterSeed.length > 50 && afterSeed.every((c) => !c.error), `reads after recovery all succeed: ${JSON.stringify(tally(afterSeed))}`);
  assert.ok(driver.breakerState === 'closed');
  await db.close();
  assert.equal(unhandled, []);
});

test('emulator hung (SIGSTOP) under load, resumed after 5 s: deadlines fire with TimeoutError, the breaker opens, calls recover after SIGCONT', async () => {
  const callTimeoutMs = 2000;
  const { db, driver } = open({ callTimeout: callTimeoutMs });
  await db.connect();
  const ids = await seed(db);
  const load = startLoad(db, ids);
  await sleep(1500);
  // How long this process could not run its timers (2 loaded cores): a deadline fires that much late too.
  const stall = monitorEventLoopDelay({ resolution: 10 });
  stall.enable();
  const stoppedAt = performance.now();
  emulator.signal('SIGSTOP');
  await sleep(5000);
  const resumedAt = performance.now();
  emulator.signal('SIGCONT');
  await sleep(4000);
  const calls = await load.stop();
  stall.disable();
  const stallMs = stall.max / 1e6;

  const hung = calls.filter((c) => c.ended >= stoppedAt && c.started <= resumedAt);
  const timeouts = hung.filter((c) => c.error instanceof TimeoutError);
  const late = timeouts.map((c) => c.ended - c.started);
  const refused = hung.filter((c) => c.error instanceof ConnectionError && c.error.info.breaker === 'open').map((c) => c.ended - c.started);
  const recovery = firstGoodRead(calls, resumedAt);
  console.log(`  hang: calls while stopped ${JSON.stringify(tally(hung))}; TimeoutError after p50 ${pct(late, 0.5).toFixed(0)} ms, max ${Math.max(...late).toFixed(0)} ms (callTimeout ${callTimeoutMs} ms)`);
  console.log(`  hang: breaker-open fast-fail p50 ${pct(refused, 0.5).toFixed(2)} ms, max ${Math.max(...refused).toFixed(2)} ms (${refused.length}); first good read per reader after SIGCONT: p50 ${pct(recovery, 0.5).toFixed(0)} ms, max ${Math.max(...recovery).toFixed(0)} ms`);

  assertTyped(calls);
  assert.ok(timeouts.length > 0, 'deadlines fired');
  assert.ok(Math.max(...late) < callTimeoutMs + 1500 + stallMs, `a hung call took ${Math.max(...late).toFixed(0)} ms (the event loop stalled for up to ${stallMs.toFixed(0)} ms)`);
  assert.ok(refused.length > 0, 'the breaker opened on calls that got no answer');
  assert.ok(pct(refused, 0.99) < FAST_FAIL_MS, `refused calls took up to ${pct(refused, 0.99).toFixed(1)} ms (p99)`);
  assert.ok(recovery.length >= 10, `readers back: ${recovery.length}`);
  assert.ok(driver.breakerState === 'closed');
  await db.close();
  assert.equal(unhandled, []);
});

test.after(async () => {
  await emulator.stop();
});
test.run();
