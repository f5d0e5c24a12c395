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
import { cache, encode, type CachePlugin } from '../src/index.js';
import { EntryAuthenticator } from '../src/entry-authenticator.js';
import { getCheck } from '../src/entry-checks.js';

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
// An in-process tier smaller than the working set: every read misses it, then hits Redis (the miss path's own cost).
const small = cache({ redisUrl: 'redis://127.0.0.1:6379', namespace: `${ns}-x`, repositories: { users: true }, localMaxEntries: 50 });
const viaSmall = await open(small);
// The same with a configured key: entries are authenticated (HMAC-SHA256) rather than checksummed.
const smallKeyed = cache({ redisUrl: 'redis://127.0.0.1:6379', namespace: `${ns}-k`, repositories: { users: true }, localMaxEntries: 50, key: randomBytes(32) });
const viaSmallKeyed = await open(smallKeyed);
const mixed = cache({ redisUrl: 'redis://127.0.0.1:6379', namespace: `${ns}-m`, repositories: { users: true } });
const viaMixed = await open(mixed);

const rows = await plain.users.createMany(Array.from({ length: 1000 }, (_, i) => ({ name: `user ${i}`, email: `u${i}@example.com`, age: i % 90, bio: 'x'.repeat(200) })));
const ids = rows.map((r) => r.id);
const hot = ids.slice(0, 200);

/** Sequential ops per second over `ms` milliseconds, and this process's CPU per op (µs): steadier than throughput on a shared machine. */
async function throughput(ms: number, op: (i: number) => Promise<unknown>, cpu: number[]): Promise<number> {
  for (let i = 0; i < 200; i++) await op(i);
  const end = performance.now() + ms;
  let n = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  while (performance.now() < end) for (let k = 0; k < 50; k++) await op(n++);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / n);
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
const cases = ['uncached', 'localHit', 'sharedHit', 'localMissSharedHit', 'localMissSharedHitKeyed', 'mixNoCache', 'mixCache'] as const;
const results = Object.fromEntries(cases.map((k) => [k, [] as number[]])) as Record<string, number[]>;
const cpuPerOp = Object.fromEntries(cases.map((k) => [k, [] as number[]])) as Record<string, number[]>;
const noCacheMix = workload(plain);
const cacheMix = workload(viaMixed);
// What authentication adds to one Redis-tier hit: seal on fill, open (MAC check) and the id check on a hit, of a row of this table.
const auth = new EntryAuthenticator(randomBytes(32));
const sample = await plain.users.get(hot[0]!);
const text = encode({ t: 3, f: Date.now() + 60_000, v: sample });
const entryKey = `${ns}:{abcdefghijklmnopqrst}:users:0123456789ab:i`;
const counterKey = `${ns}:{abcdefghijklmnopqrst}:users:e`;
const check = getCheck(sample!.id, true);
const authUs: number[] = [];
function authCost(): number {
  const n = 20_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const raw = auth.seal(entryKey, counterKey, text);
    if (auth.open(entryKey, counterKey, raw) !== text || check(sample) !== undefined) throw new Error('bench: authentication failed');
  }
  return ((performance.now() - t0) * 1000) / n;
}
for (let round = 0; round < 5; round++) {
  results.uncached!.push(await throughput(1500, (i) => plain.users.get(hot[i % hot.length]!), cpuPerOp.uncached!));
  results.localHit!.push(await throughput(1500, (i) => viaLocal.users.get(hot[i % hot.length]!), cpuPerOp.localHit!));
  results.sharedHit!.push(await throughput(1500, (i) => viaShared.users.get(hot[i % hot.length]!), cpuPerOp.sharedHit!));
  results.localMissSharedHit!.push(await throughput(1500, (i) => viaSmall.users.get(hot[i % hot.length]!), cpuPerOp.localMissSharedHit!));
  results.localMissSharedHitKeyed!.push(await throughput(1500, (i) => viaSmallKeyed.users.get(hot[i % hot.length]!), cpuPerOp.localMissSharedHitKeyed!));
  authUs.push(authCost());
  results.mixNoCache!.push(await throughput(1500, noCacheMix, cpuPerOp.mixNoCache!));
  results.mixCache!.push(await throughput(1500, cacheMix, cpuPerOp.mixCache!));
}
const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)])) as Record<string, number>;
const s = mixed.stats().total;
const reads = s.local.hits + s.local.misses;
const hitRate = (s.local.hits + s.shared.hits) / Math.max(1, reads);
const spread = (k: string) => `${Math.min(...results[k]!).toFixed(0)}–${Math.max(...results[k]!).toFixed(0)}`;
const cpu = (k: string) => `${median(cpuPerOp[k]!).toFixed(1)} (${Math.min(...cpuPerOp[k]!).toFixed(1)}–${Math.max(...cpuPerOp[k]!).toFixed(1)})`;
const row = (label: string, k: string, digits: number) => console.log(`| ${label} | ${m[k]!.toFixed(0)} | ${spread(k)} | ${(m[k]! / m.uncached!).toFixed(digits)}x | ${cpu(k)} |`);
console.log(`| case | ops/s (median of 5) | min–max | vs uncached repo.get | client CPU µs/op (min–max) |`);
console.log(`|---|---:|---:|---:|---:|`);
row('uncached repo.get by id (PostgreSQL)', 'uncached', 1);
row('in-process hit (copy included)', 'localHit', 1);
row('Redis-tier hit (in-process tier off)', 'sharedHit', 2);
row('in-process miss, Redis-tier hit (200 hot ids, in-process tier of 50)', 'localMissSharedHit', 2);
row('in-process miss, Redis-tier hit, keyed (cache({ key }))', 'localMissSharedHitKeyed', 2);
row('95% get / 5% update, no cache', 'mixNoCache', 2);
row('95% get / 5% update, cache', 'mixCache', 2);
console.log(`\n95/5 workload: hit rate ${(hitRate * 100).toFixed(1)}% (in-process ${s.local.hits}, Redis ${s.shared.hits}, misses ${s.shared.misses}); cached/uncached throughput ${(m.mixCache! / m.mixNoCache!).toFixed(2)}x`);

const hitUs = 1e6 / m.localMissSharedHitKeyed!;
console.log(`\nentry authentication (seal + MAC check + id check, ${text.length}-byte entry): ${median(authUs).toFixed(2)} µs (min–max ${Math.min(...authUs).toFixed(2)}–${Math.max(...authUs).toFixed(2)}) = ${((median(authUs) / hitUs) * 100).toFixed(2)}% of an in-process miss / Redis-tier hit (${hitUs.toFixed(0)} µs, keyed)`);

for (const c of [local, shared, small, smallKeyed, mixed]) await c.clear();
for (const db of [viaLocal, viaShared, viaSmall, viaSmallKeyed, viaMixed, plain]) await db.close();
execFileSync('psql', [PG_URL, '-q', '-c', `DROP TABLE IF EXISTS "${table}"`], { stdio: 'ignore' });
