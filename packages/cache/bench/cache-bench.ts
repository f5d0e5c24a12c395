/**
 * Cache benchmarks against PostgreSQL at 127.0.0.1 (CHATCORE_PG_URL) and
 * Redis at 127.0.0.1:6379, all in one run: 5 alternating rounds, medians,
 * ratios against an uncached repo.get measured in the same rounds.
 *   cd packages/cache && node --conditions=@chatcore/source --import tsx bench/cache-bench.ts
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { postgres } from '@chatcore/postgres';
import { cache, type CachePlugin } from '../src/index.js';

const PG_URL = process.env.CHATCORE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const table = `bench_cache_${randomBytes(4).toString('hex')}`;
const users = defineRepository('users', {
  id: f.id(), name: f.string(), email: f.string(), age: f.integer().optional(), bio: f.text().optional(),
  createdAt: f.timestamp().createdAt(), version: f.version(),
}, { table });

async function open(plugin?: CachePlugin) {
  const db = createDatabase({ driver: postgres({ url: PG_URL, poolSize: 4 }), repositories: { users }, plugins: plugin ? [plugin] : [] });
  await db.connect();
  return db;
}
type Db = Awaited<ReturnType<typeof open>>;

const ns = `bench-${randomBytes(4).toString('hex')}`;
const plain = await open();
const local = cache({ redisUrl: 'redis://127.0.0.1:6379', namespace: `${ns}-l`, repositories: { users: true } });
const viaLocal = await open(local);
const shared = cache({ redisUrl: 'redis://127.0.0.1:6379', namespace: `${ns}-s`, repositories: { users: true }, local: false });
const viaShared = await open(shared);
const mixed = cache({ redisUrl: 'redis://127.0.0.1:6379', namespace: `${ns}-m`, repositories: { users: true } });
const viaMixed = await open(mixed);

const rows = await plain.users.createMany(Array.from({ length: 1000 }, (_, i) => ({ name: `user ${i}`, email: `u${i}@example.com`, age: i % 90, bio: 'x'.repeat(200) })));
const ids = rows.map((r) => r.id);
const hot = ids.slice(0, 200);

/** Sequential ops per second over `ms` milliseconds. */
async function throughput(ms: number, op: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await op(i);
  const end = performance.now() + ms;
  let n = 0;
  const t0 = performance.now();
  while (performance.now() < end) for (let k = 0; k < 50; k++) await op(n++);
  return n / ((performance.now() - t0) / 1000);
}

function workload(db: Db) {
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return async () => {
    const id = hot[Math.floor(rnd() * hot.length)]!;
    if (rnd() < 0.05) await db.users.update(id, { age: Math.floor(rnd() * 90) });
    else await db.users.get(id);
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results: Record<string, number[]> = { uncached: [], localHit: [], sharedHit: [], mixNoCache: [], mixCache: [] };
const noCacheMix = workload(plain);
const cacheMix = workload(viaMixed);
for (let round = 0; round < 5; round++) {
  results.uncached!.push(await throughput(1500, (i) => plain.users.get(hot[i % hot.length]!)));
  results.localHit!.push(await throughput(1500, (i) => viaLocal.users.get(hot[i % hot.length]!)));
  results.sharedHit!.push(await throughput(1500, (i) => viaShared.users.get(hot[i % hot.length]!)));
  results.mixNoCache!.push(await throughput(1500, noCacheMix));
  results.mixCache!.push(await throughput(1500, cacheMix));
}
const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)])) as Record<string, number>;
const s = mixed.stats().total;
const reads = s.local.hits + s.local.misses;
const hitRate = (s.local.hits + s.shared.hits) / Math.max(1, reads);
console.log(`| case | ops/s (median of 5) | vs uncached repo.get |`);
console.log(`|---|---:|---:|`);
console.log(`| uncached repo.get by id (PostgreSQL) | ${m.uncached!.toFixed(0)} | 1.0x |`);
console.log(`| in-process hit (copy included) | ${m.localHit!.toFixed(0)} | ${(m.localHit! / m.uncached!).toFixed(1)}x |`);
console.log(`| Redis-tier hit (in-process tier off) | ${m.sharedHit!.toFixed(0)} | ${(m.sharedHit! / m.uncached!).toFixed(2)}x |`);
console.log(`| 95% get / 5% update, no cache | ${m.mixNoCache!.toFixed(0)} | ${(m.mixNoCache! / m.uncached!).toFixed(2)}x |`);
console.log(`| 95% get / 5% update, cache | ${m.mixCache!.toFixed(0)} | ${(m.mixCache! / m.uncached!).toFixed(2)}x |`);
console.log(`\n95/5 workload: hit rate ${(hitRate * 100).toFixed(1)}% (in-process ${s.local.hits}, Redis ${s.shared.hits}, misses ${s.shared.misses}); cached/uncached throughput ${(m.mixCache! / m.mixNoCache!).toFixed(2)}x`);

for (const c of [local, shared, mixed]) await c.clear();
for (const db of [viaLocal, viaShared, viaMixed, plain]) await db.close();
execFileSync('psql', [PG_URL, '-q', '-c', `DROP TABLE IF EXISTS "${table}"`], { stdio: 'ignore' });
