import { createDatabase, defineRepository, f } from '@chatcore/core';
import { createPool, PoolExecutor, postgres } from '@chatcore/postgres';
import { sqlDriver } from '@chatcore/sql';
import { compare, pairedLatency, rows } from '../lib/measure.js';
import { pollHealth } from '../lib/health-poll.js';

const URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TABLE_ROWS = Number(process.env.BENCH_RESILIENCE_ROWS ?? 20_000);
const OPS = Number(process.env.BENCH_OPS ?? 4000);

const resilienceItems = defineRepository(
  'bench_resilience_items',
  { id: f.id(), title: f.string({ max: 200 }), score: f.integer(), version: f.version() },
);

/**
 * Issue 4 benchmark: `repo.get(id)` through the production driver (retries,
 * circuit breaker, and a health probe every 250 ms, as a load balancer
 * would poll it) against the same repository with retries and breaker off
 * (`retry: false, breaker: false`), same table, same run. Target: >= 0.95x.
 * The bare PoolExecutor over pool.query is shown for reference.
 */
export async function postgresResilience(out: string[]): Promise<void> {
  const plain = createDatabase({ driver: postgres({ url: URL, poolSize: 10, retry: false, breaker: false }), repositories: { items: resilienceItems } });
  // The bare PoolExecutor (pool.query, no guards) as a second reference.
  const bare = createDatabase({ driver: sqlDriver({ name: 'postgres', executor: new PoolExecutor(createPool({ url: URL, poolSize: 10 })) }), repositories: { items: resilienceItems } });
  const guarded = postgres({ url: URL, poolSize: 10, retry: { maxRetries: 3 }, breaker: { failures: 5, halfOpenAfter: 2000 } });
  const resilient = createDatabase({ driver: guarded, repositories: { items: resilienceItems } });
  await plain.connect();
  await bare.connect();
  await resilient.connect();
  const k = plain.driver as unknown as { executor: { execute(s: { sql: string; parameters: unknown[] }): Promise<unknown> } };
  await k.executor.execute({ sql: 'truncate bench_resilience_items', parameters: [] });
  const ids: string[] = [];
  for (let done = 0; done < TABLE_ROWS; done += 5000) {
    const batch = await plain.items.createMany(
      Array.from({ length: Math.min(5000, TABLE_ROWS - done) }, (_, i) => ({ title: `item ${done + i}`, score: (done + i) % 1000 })),
    );
    for (const r of batch) ids.push(r.id);
  }
  await k.executor.execute({ sql: 'analyze bench_resilience_items', parameters: [] });
  const pick = (i: number) => ids[(i * 7919) % ids.length]!;

  const poll = pollHealth(resilient, 250);
  let probes = { checks: 0, notUp: 0 };
  try {
    for (const inFlight of [1, 16]) {
      const results = await compare(
        [
          { name: 'repo.get (bare PoolExecutor)', op: (i) => bare.items.get(pick(i)) },
          { name: 'repo.get (plain pool)', op: (i) => plain.items.get(pick(i)) },
          { name: 'repo.get (retries + breaker + health)', op: (i) => resilient.items.get(pick(i)) },
        ],
        { count: OPS, inFlight, rounds: 7 },
      );
      out.push(...rows(`get by id, ${inFlight} in flight`, results, 'repo.get (plain pool)', { variant: 'repo.get (retries + breaker + health)', min: 0.95 }));
    }
    // Paired: every worker alternates the two variants op by op, so load that comes and goes on
    // a shared machine hits both alike; the ratio of median latencies is the throughput ratio.
    for (const inFlight of [1, 16]) {
      const { a: mp, b: mg } = await pairedLatency((i) => plain.items.get(pick(i)), (i) => resilient.items.get(pick(i)), { count: OPS, inFlight });
      const ratio = mp / mg;
      out.push(`| get by id, paired op by op, ${inFlight} in flight | plain ${(mp * 1000).toFixed(0)} µs vs retries + breaker + health ${(mg * 1000).toFixed(0)} µs (median latency) | | | | ${ratio.toFixed(2)}x (target ≥ 0.95x: ${ratio >= 0.95 ? "met" : "MISSED"}) |`);
    }
  } finally {
    probes = poll.stop();
  }
  out.push(`| health probes during the run | ${probes.checks} (${probes.notUp} not up) | | | | breaker ${guarded.breakerState()} |`);
  await k.executor.execute({ sql: 'drop table if exists bench_resilience_items', parameters: [] });
  await resilient.close();
  await plain.close();
  await bare.close();
}
