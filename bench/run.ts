/**
 * `pnpm bench [suite ...]`: runs the benchmarks and prints markdown tables
 * with absolute figures and ratios against raw baselines measured in the same
 * run (medians of 5 alternating rounds), then the process memory.
 * Suites: sql (default). Needs PostgreSQL at 127.0.0.1:5432 (BENCH_PG_URL).
 */
import { HEADER } from './lib/measure.js';

const suites: Record<string, () => Promise<(out: string[]) => Promise<void>>> = {
  sql: async () => (await import('./suites/sql-core.js')).sqlCore,
  resilience: async () => (await import('./suites/postgres-resilience.js')).postgresResilience,
  encryption: async () => (await import('./suites/encryption-overhead.js')).encryptionOverhead,
  firestore: async () => (await import('./suites/firestore-overhead.js')).firestoreOverhead,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : ['sql'];
console.log(`chatcore benchmarks — ${new Date().toISOString()} — node ${process.version}, ${(await import('node:os')).cpus().length} CPUs`);
for (const name of names) {
  const load = suites[name];
  if (!load) throw new Error(`unknown suite ${name}; known: ${Object.keys(suites).join(', ')}`);
  const out: string[] = [];
  const t0 = performance.now();
  await (await load())(out);
  console.log(`\n### ${name} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
  console.log([...HEADER, ...out].join('\n'));
}
const mem = process.memoryUsage();
console.log(`\nprocess memory after the run: rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`);
