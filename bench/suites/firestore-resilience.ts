import { randomBytes } from 'node:crypto';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { useFirestoreEmulator } from '@chatcore/firestore/testing';
import { firestore } from '@chatcore/firestore';
import { compare, pairedLatency, rows } from '../lib/measure.js';
import { pollHealth } from '../lib/health-poll.js';

const DOCS = Number(process.env.BENCH_FS_RESILIENCE_DOCS ?? 2000);
const OPS = Number(process.env.BENCH_FS_RESILIENCE_OPS ?? 1000);
const ROUNDS = Number(process.env.BENCH_FS_ROUNDS ?? 7);

const items = defineRepository('bench_fs_resilience_items', { id: f.id(), title: f.string({ max: 200 }), score: f.integer(), version: f.version() });

/**
 * Issue 15 benchmark: `repo.get(id)` through the Firestore driver with its
 * resilience layer (read retries, circuit breaker, commit rules, and a
 * health probe every 250 ms, as a load balancer would poll it) against the
 * same repository with `retry: false, breaker: false`, on the same
 * emulator, same documents, same run. Throughput at 1 and 16 in flight,
 * medians of 7 alternating rounds, and a paired op-by-op latency ratio.
 * Target: >= 0.95x (the layer costs at most 5%).
 */
export async function firestoreResilience(out: string[]): Promise<void> {
  const emu = await useFirestoreEmulator();
  const projectId = `chatcore-bench-${randomBytes(4).toString('hex')}`;
  const plain = createDatabase({ driver: firestore({ projectId, emulatorHost: emu.host, retry: false, breaker: false }), repositories: { items } });
  const guarded = firestore({ projectId, emulatorHost: emu.host });
  const resilient = createDatabase({ driver: guarded, repositories: { items } });
  await plain.connect();
  await resilient.connect();
  const ids: string[] = [];
  for (let done = 0; done < DOCS; done += 500) {
    const batch = await plain.items.createMany(Array.from({ length: Math.min(500, DOCS - done) }, (_, i) => ({ title: `item ${done + i}`, score: (done + i) % 1000 })));
    for (const r of batch) ids.push(r.id);
  }
  const pick = (i: number) => ids[(i * 7919) % ids.length]!;
  const poll = pollHealth(resilient, 250);
  let probes = { checks: 0, notUp: 0 };
  const PLAIN = 'repo.get (retry: false, breaker: false)';
  const GUARDED = 'repo.get (retries + breaker + health)';
  try {
    for (const inFlight of [1, 16]) {
      const results = await compare(
        [
          { name: PLAIN, op: (i) => plain.items.get(pick(i)) },
          { name: GUARDED, op: (i) => resilient.items.get(pick(i)) },
        ],
        { count: OPS, inFlight, rounds: ROUNDS, warmup: 200 },
      );
      out.push(...rows(`Firestore get by id, ${inFlight} in flight`, results, PLAIN, { variant: GUARDED, min: 0.95 }));
    }
    for (const inFlight of [1, 16]) {
      const { a: mp, b: mg } = await pairedLatency((i) => plain.items.get(pick(i)), (i) => resilient.items.get(pick(i)), { count: OPS, inFlight });
      const ratio = mp / mg;
      out.push(`| Firestore get by id, paired op by op, ${inFlight} in flight | plain ${(mp * 1000).toFixed(0)} µs vs retries + breaker + health ${(mg * 1000).toFixed(0)} µs (median latency) | | | | ${ratio.toFixed(2)}x (target ≥ 0.95x: ${ratio >= 0.95 ? 'met' : 'MISSED'}) |`);
    }
  } finally {
    probes = poll.stop();
  }
  out.push(`| health probes during the run | ${probes.checks} (${probes.notUp} not up) | | | | breaker ${guarded.breakerState} |`);
  await resilient.close();
  await plain.close();
  await emu.stop();
}
