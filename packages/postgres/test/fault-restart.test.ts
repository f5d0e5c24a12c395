import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ChatcoreError, createDatabase, defineRepository, f } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '../src/index.js';
import { createCluster, waitUntilAccepting, type TestCluster } from './helpers/cluster.js';

await requireService('postgres');

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));
process.on('uncaughtException', (err) => unhandled.push(err));

const cluster: TestCluster = await createCluster('cc_restart', 25446);
const HALF_OPEN_MS = 1000;
const counters = defineRepository('counters', { id: f.id(), name: f.string(), count: f.integer(), version: f.version() }, { table: 'counters' });
const notes = defineRepository('notes', { id: f.id(), body: f.string() }, { table: 'notes' });
const driver = postgres({
  url: cluster.url(),
  poolSize: 24,
  connectTimeout: 3000,
  applicationName: 'cc-restart-load',
  breaker: { failures: 5, halfOpenAfter: HALF_OPEN_MS },
  retry: { maxRetries: 3, initialDelay: 20, maxDelay: 200 },
});
const db = createDatabase({ driver, repositories: { counters, notes } });
await db.connect();

interface Outcome {
  acked: Map<string, number>;
  inserted: string[];
  typed: Map<string, number>;
  untyped: unknown[];
  peakInFlight: number;
}

/**
 * `workers` callers loop over increments (non-idempotent autocommit
 * updates), inserts and reads until stopped, recording what was
 * acknowledged to them and every error they saw.
 */
function startLoad(ids: readonly string[], workers: number) {
  const out: Outcome = { acked: new Map(ids.map((id) => [id, 0])), inserted: [], typed: new Map(), untyped: [], peakInFlight: 0 };
  let inFlight = 0;
  let running = true;
  const worker = async (w: number) => {
    for (let i = 0; running; i++) {
      inFlight++;
      out.peakInFlight = Math.max(out.peakInFlight, inFlight);
      try {
        const kind = (w + i) % 3;
        if (kind === 0) {
          const id = ids[(w * 7 + i) % ids.length]!;
          await db.counters.update(id, { count: { increment: 1 } });
          out.acked.set(id, out.acked.get(id)! + 1);
        } else if (kind === 1) {
          const n = await db.notes.create({ body: `w${w} #${i}` });
          out.inserted.push(n.id);
        } else {
          await db.counters.get(ids[i % ids.length]!);
        }
      } catch (err) {
        if (err instanceof ChatcoreError) out.typed.set(err.name, (out.typed.get(err.name) ?? 0) + 1);
        else out.untyped.push(err);
        await new Promise((r) => setTimeout(r, 20));
      } finally {
        inFlight--;
      }
    }
  };
  const done = Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  return {
    out,
    inFlight: () => inFlight,
    async stop() {
      running = false;
      await done;
      return out;
    },
  };
}

async function seedCounters(tag: string): Promise<string[]> {
  const made = await db.counters.createMany(Array.from({ length: 4 }, (_, i) => ({ name: `${tag}-${i}`, count: 0 })));
  return made.map((c) => c.id);
}

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Poll reads until one succeeds; the time of the first success. */
async function firstSuccessfulRead(id: string): Promise<number> {
  for (;;) {
    try {
      await db.counters.get(id);
      return performance.now();
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

async function verify(ids: readonly string[], out: Outcome): Promise<void> {
  assert.equal(out.untyped, [], 'every error a caller saw was a typed chatcore error');
  const typedTotal = [...out.typed.values()].reduce((a, b) => a + b, 0);
  assert.ok(typedTotal >= 1, 'at least one caller saw the outage');
  const rows = await cluster.sql('select id, count from counters where id = any($1)', [ids]);
  const stored = new Map(rows.map((r) => [r.id as string, Number(r.count)]));
  for (const id of ids) assert.is(stored.get(id), out.acked.get(id), `counter ${id}: stored equals acknowledged increments`);
  const present = await cluster.sql('select count(*)::int as n from notes where id = any($1)', [out.inserted]);
  assert.is(present[0]!.n, out.inserted.length, 'every acknowledged insert is present');
  assert.equal(unhandled, [], 'no unhandled rejection or exception');
  console.log(`  acknowledged increments ${[...out.acked.values()].join('/')}, inserts ${out.inserted.length}, typed errors ${JSON.stringify(Object.fromEntries(out.typed))}, peak in flight ${out.peakInFlight}`);
}

test('restart under load: counters equal acknowledged increments, acknowledged inserts survive, reads come back within half-open + 1 s', async () => {
  const ids = await seedCounters('restart');
  const load = startLoad(ids, 24);
  await waitFor(() => [...load.out.acked.values()].reduce((a, b) => a + b, 0) >= 20);
  await waitFor(() => load.inFlight() >= 16);
  const inFlightAtRestart = load.inFlight();
  await cluster.restart();
  const accepting = await waitUntilAccepting(cluster);
  const readOk = await firstSuccessfulRead(ids[0]!);
  await new Promise((r) => setTimeout(r, 300));
  const out = await load.stop();
  assert.ok(inFlightAtRestart >= 16, `${inFlightAtRestart} writes and reads in flight at the restart`);
  const recovery = readOk - accepting;
  console.log(`  in flight at restart ${inFlightAtRestart}; reads succeeded ${recovery.toFixed(0)} ms after the server accepted connections`);
  assert.ok(recovery <= HALF_OPEN_MS + 1000, `reads recovered in ${recovery.toFixed(0)} ms`);
  await verify(ids, out);
});

test('all backends terminated under load (pg_terminate_backend): the same guarantees hold', async () => {
  const ids = await seedCounters('terminate');
  const load = startLoad(ids, 24);
  await waitFor(() => [...load.out.acked.values()].reduce((a, b) => a + b, 0) >= 20);
  let rounds = 0;
  let inFlightAtKill = 0;
  // Terminate every backend of the load, while >= 16 calls are in flight, until some caller has seen it.
  while (rounds < 10 && [...load.out.typed.values()].reduce((a, b) => a + b, 0) === 0) {
    await waitFor(() => load.inFlight() >= 16);
    inFlightAtKill = Math.max(inFlightAtKill, load.inFlight());
    const killed = await cluster.sql("select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where application_name = 'cc-restart-load'");
    assert.ok(Number(killed[0]!.n) >= 1);
    rounds++;
    await new Promise((r) => setTimeout(r, 200));
  }
  const readOk = performance.now();
  await firstSuccessfulRead(ids[0]!);
  assert.ok(performance.now() - readOk <= HALF_OPEN_MS + 1000);
  await new Promise((r) => setTimeout(r, 300));
  const out = await load.stop();
  assert.ok(inFlightAtKill >= 16, `${inFlightAtKill} calls in flight at the kill`);
  console.log(`  terminate rounds ${rounds}, in flight at kill ${inFlightAtKill}`);
  await verify(ids, out);
});

test.after(async () => {
  await db.close().catch(() => undefined);
  await cluster.drop();
});

test.run();
