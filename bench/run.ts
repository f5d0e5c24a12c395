/**
 * `pnpm bench [suite ...]`: runs the benchmarks and prints markdown tables
 * with absolute figures and ratios against raw baselines measured in the same
 * run (medians of 7 alternating rounds by default, at least 5), then the process memory.
 * Suites: sql, sql-aggregate, relations, relations-m2m, resilience, encryption, encryption-pg, encryption-integrity, cache, audit, firestore, firestore-resilience, secrets, metrics, references (default: all).
 * Needs PostgreSQL at 127.0.0.1:5432 (BENCH_PG_URL), Redis at 127.0.0.1:6379
 * and the Firestore emulator (started by the firestore suite).
 */
import { HEADER } from './lib/measure.js';

// A benchmark never skips: a missing service fails the run (the test helpers it uses honour this).
process.env.CHATCORE_REQUIRE_SERVICES = '1';

const suites: Record<string, () => Promise<(out: string[]) => Promise<void>>> = {
  sql: async () => (await import('./suites/sql-core.js')).sqlCore,
  'sql-aggregate': async () => (await import('./suites/sql-aggregate.js')).sqlAggregate,
  relations: async () => (await import('./suites/relations.js')).relations,
  'relations-m2m': async () => (await import('./suites/relations-m2m.js')).relationsM2m,
  resilience: async () => (await import('./suites/postgres-resilience.js')).postgresResilience,
  encryption: async () => (await import('./suites/encryption-per-value.js')).encryptionPerValue,
  'encryption-pg': async () => (await import('./suites/encryption-overhead.js')).encryptionOverhead,
  'encryption-integrity': async () => (await import('./suites/encryption-integrity.js')).encryptionIntegrity,
  firestore: async () => (await import('./suites/firestore-overhead.js')).firestoreOverhead,
  'firestore-resilience': async () => (await import('./suites/firestore-resilience.js')).firestoreResilience,
  secrets: async () => (await import('./suites/secret-verify.js')).secretVerify,
  metrics: async () => (await import('./suites/metrics-overhead.js')).metricsOverhead,
  references: async () => (await import('./suites/references.js')).references,
  'cascade-lock': async () => (await import('./suites/cascade-lock.js')).cascadeLock,
};

// Suites whose output starts with their own tables (CPU per value, not ops/s).
const ownTables = new Set(['encryption']);

// Plugin benchmarks that print their own tables; run on the built packages.
const scripts: Record<string, string> = {
  cache: 'packages/cache/bench/cache-bench.ts',
  audit: 'packages/audit/bench/audit-bench.ts',
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : ['sql', 'sql-aggregate', 'relations', 'relations-m2m', 'resilience', 'encryption', 'encryption-pg', 'encryption-integrity', 'cache', 'audit', 'firestore', 'firestore-resilience', 'secrets', 'metrics', 'references', 'cascade-lock'];
console.log(`chatcore benchmarks — ${new Date().toISOString()} — node ${process.version}, ${(await import('node:os')).cpus().length} CPUs`);
for (const name of names) {
  if (scripts[name]) {
    const { spawnSync } = await import('node:child_process');
    const root = new URL('../../', import.meta.url);
    console.log(`\n### ${name}\n`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', scripts[name]!], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`suite ${name} failed (exit ${r.status})`);
    continue;
  }
  const load = suites[name];
  if (!load) throw new Error(`unknown suite ${name}; known: ${[...Object.keys(suites), ...Object.keys(scripts)].join(', ')}`);
  const out: string[] = [];
  const t0 = performance.now();
  await (await load())(out);
  console.log(`\n### ${name} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
  // A suite whose output starts with a table header of its own prints it as is.
  console.log((ownTables.has(name) || out[1]?.startsWith('| ---') ? out : [...HEADER, ...out]).join('\n'));
}
const mem = process.memoryUsage();
console.log(`\nprocess memory after the run: rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`);
