import { randomUUID } from 'node:crypto';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { postgres } from '@chatcore/postgres';
import { median } from '../lib/measure.js';

const URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

/**
 * verifySecret on PostgreSQL with the production scrypt parameters: a wrong
 * password for an existing record, an id that does not exist, and a record
 * without a secret. The last two must cost what the first costs (no account
 * enumeration by timing). Paths alternate within each round (order rotated).
 */
export async function secretVerify(out: string[]): Promise<void> {
  const users = defineRepository('users', { id: f.id(), login: f.string(), password: f.string().secret().optional() }, { table: 'bench_secret_users' });
  const db = createDatabase({ driver: postgres({ url: URL, poolSize: 2 }), repositories: { users } });
  await db.connect();
  try {
    const alice = await db.users.create({ login: 'alice', password: 'correct horse battery staple' });
    const bob = await db.users.create({ login: 'bob' });
    const paths: Array<[string, () => Promise<boolean>]> = [
      ['wrong password (baseline)', () => db.users.verifySecret(alice.id, 'password', 'guess')],
      ['missing id', () => db.users.verifySecret(randomUUID(), 'password', 'guess')],
      ['record without a secret', () => db.users.verifySecret(bob.id, 'password', 'guess')],
    ];
    const wall = paths.map(() => [] as number[]);
    const cpu = paths.map(() => [] as number[]);
    for (let round = 0; round <= ROUNDS; round++) {
      for (let k = 0; k < paths.length; k++) {
        const i = (k + round) % paths.length;
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        if (await paths[i]![1]()) throw new Error('a wrong candidate verified');
        const c = process.cpuUsage(c0);
        // Round 0 warms up (first connection, first scrypt allocation).
        if (round > 0) {
          wall[i]!.push(performance.now() - t0);
          cpu[i]!.push((c.user + c.system) / 1000);
        }
      }
    }
    out.push('| path | wall ms (median) | wall ms (min–max) | CPU ms (median) | vs wrong password (wall medians) | vs wrong password (paired, median of per-round ratios) |', '| --- | ---: | ---: | ---: | ---: | ---: |');
    paths.forEach(([name], i) => {
      const w = wall[i]!;
      const paired = median(w.map((ms, r) => ms / wall[0]![r]!));
      out.push(`| ${name} | ${median(w).toFixed(0)} | ${Math.min(...w).toFixed(0)}–${Math.max(...w).toFixed(0)} | ${median(cpu[i]!).toFixed(0)} | ${(median(w) / median(wall[0]!)).toFixed(2)}x | ${paired.toFixed(2)}x |`);
    });
    out.push('', `scrypt N=2^14, r=8, p=5 (the defaults), ${ROUNDS} rounds, PostgreSQL`);
  } finally {
    await db.users.deleteMany({}).catch(() => undefined);
    await db.close();
  }
}
