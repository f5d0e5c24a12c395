import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { postgres } from '@chatcore/postgres';
import { compare, rows } from '../lib/measure.js';

const URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TABLE_ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const OPS = Number(process.env.BENCH_AGG_OPS ?? 40);

/** Grouped aggregate over 100k rows: repo.aggregate vs the same SQL through raw pg (issue 19). */
export async function sqlAggregate(out: string[]): Promise<void> {
  const table = `bench_agg_${randomBytes(3).toString('hex')}`;
  const sales = defineRepository('sales', {
    id: f.id(),
    category: f.string({ max: 20 }),
    score: f.integer(),
    amount: f.number(),
    active: f.boolean(),
    createdAt: f.timestamp().createdAt(),
  }, { table });
  const raw = new pg.Pool({ connectionString: URL, max: 4 });
  const db = createDatabase({ driver: postgres({ url: URL, poolSize: 4 }), repositories: { sales } });
  await db.connect();
  try {
    for (let done = 0; done < TABLE_ROWS; done += 5000) {
      await db.sales.createMany(Array.from({ length: Math.min(5000, TABLE_ROWS - done) }, (_, i) => ({
        category: `c${(done + i) % 50}`, score: (done + i) % 1000, amount: ((done + i) % 97) * 0.5, active: (done + i) % 3 !== 0,
      })));
    }
    await raw.query(`ANALYZE ${table}`);
    // The statement the repository sends, written by hand: same columns, grouping, order and limit.
    const text = `SELECT category AS g0, count(*) AS m0, sum(score) AS m1, avg(amount) AS m2, max(created_at) AS m3 FROM ${table}
      WHERE active = $1 GROUP BY category ORDER BY m1 DESC NULLS LAST, g0 ASC NULLS FIRST LIMIT $2`;
    for (const inFlight of [1, 4]) {
      const results = await compare(
        [
          { name: 'raw pg (named)', op: () => raw.query({ name: 'b_agg', text, values: [true, 20] }) },
          {
            name: 'repo.aggregate',
            op: () => db.sales.aggregate({ where: { active: true }, groupBy: ['category'], count: ['_all'], sum: ['score'], avg: ['amount'], max: ['createdAt'], orderBy: { sum: { score: 'desc' } }, limit: 20 }),
          },
        ],
        { count: OPS, inFlight, rounds: 7, warmup: 4 },
      );
      out.push(...rows(`grouped aggregate over ${TABLE_ROWS.toLocaleString('en-US')} rows, ${inFlight} in flight`, results, 'raw pg (named)', { variant: 'repo.aggregate', min: 0.9 }));
    }
  } finally {
    await raw.query(`DROP TABLE IF EXISTS ${table}`);
    await db.close();
    await raw.end();
  }
}
