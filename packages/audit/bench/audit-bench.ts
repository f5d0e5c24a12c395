/**
 * Cost of auditing on PostgreSQL, measured in one run: repo.get and
 * repo.create without plugins, with audit (file sink, hash chain on), and
 * with the audit outbox; 5 alternating rounds, medians; throughput at 1 and
 * 16 in flight and client CPU µs per operation.
 *
 *   node --conditions=@chatcore/source --import tsx packages/audit/bench/audit-bench.ts
 *   (BENCH_PG_URL, BENCH_OPS to override)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { type Plugin } from '@chatcore/core/plugin';
import { postgres } from '@chatcore/postgres';
import { audit, type AuditPlugin } from '@chatcore/audit';

const URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const OPS = Number(process.env.BENCH_OPS ?? 3000);
const ROUNDS = 5;

const items = defineRepository('audit_bench_items', {
  id: f.id(),
  title: f.string({ max: 200 }),
  score: f.integer(),
  updatedAt: f.timestamp().updatedAt(),
  version: f.version(),
});

async function drive(op: (i: number) => Promise<unknown>, count: number, inFlight: number) {
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => { while (next < count) await op(next++); }));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { opsPerSec: (count / ms) * 1000, cpuMicros: (cpu.user + cpu.system) / count };
}
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };

const dir = await mkdtemp(join(tmpdir(), 'audit-bench-'));
const open = async (plugins: Plugin[]) => {
  const db = createDatabase({ driver: postgres({ url: URL, poolSize: 16 }), repositories: { items }, plugins });
  await db.connect();
  return db;
};
const variants = {
  'no audit': await open([]),
  'audit file+chain': await open([audit({ sinks: { file: join(dir, 'audit.log') }, checkpoints: { file: join(dir, 'audit.checkpoints') } })]),
  'audit outbox': await open([audit({ sinks: { outbox: true }, reads: 'none' })]),
};
const ids = (await variants['no audit'].items.createMany(Array.from({ length: 5000 }, (_, i) => ({ title: `t${i}`, score: i })))).map((r) => r.id);
const pick = (i: number) => ids[(i * 7919) % ids.length]!;
const ops = {
  'repo.get': (db: typeof variants['no audit']) => (i: number) => db.items.get(pick(i)),
  'repo.create': (db: typeof variants['no audit']) => (i: number) => db.items.create({ title: `n${i}`, score: i }),
};

console.log(`audit benchmark — PostgreSQL, ${OPS} ops per round, ${ROUNDS} rounds, medians — node ${process.version}`);
console.log('| operation | in flight | variant | ops/s | CPU µs/op | added CPU µs/op | throughput vs no audit |');
console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: |');
for (const [opName, make] of Object.entries(ops)) {
  for (const inFlight of [1, 16]) {
    const names = Object.keys(variants).filter((n) => !(opName === 'repo.get' && n === 'audit outbox')) as Array<keyof typeof variants>;
    const res = new Map(names.map((n) => [n, { ops: [] as number[], cpu: [] as number[] }]));
    for (const n of names) await drive(make(variants[n]), 300, inFlight);
    for (let r = 0; r < ROUNDS; r++) {
      for (let k = 0; k < names.length; k++) {
        const n = names[(k + r) % names.length]!;
        const m = await drive(make(variants[n]), OPS, inFlight);
        res.get(n)!.ops.push(m.opsPerSec);
        res.get(n)!.cpu.push(m.cpuMicros);
        // Let this variant finish its background work (batched file writes, outbox chaining) before the next one is measured.
        await variants[n].plugin<AuditPlugin>('audit')?.flush();
      }
    }
    const base = { ops: median(res.get('no audit')!.ops), cpu: median(res.get('no audit')!.cpu) };
    for (const n of names) {
      const ops = median(res.get(n)!.ops);
      const cpu = median(res.get(n)!.cpu);
      console.log(`| ${opName} | ${inFlight} | ${n} | ${Math.round(ops)} | ${cpu.toFixed(1)} | ${n === 'no audit' ? '' : (cpu - base.cpu).toFixed(1)} | ${(ops / base.ops).toFixed(2)}x |`);
    }
  }
}
for (const db of Object.values(variants)) await db.close();
await rm(dir, { recursive: true, force: true });
