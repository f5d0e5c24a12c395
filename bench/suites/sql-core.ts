import pg from 'pg';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { postgres } from '@chatcore/postgres';
import { compare, drive, median, rows, HEADER } from '../lib/measure.js';

const URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TABLE_ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const OPS = Number(process.env.BENCH_OPS ?? 4000);

export const benchItems = defineRepository(
  'bench_items',
  {
    id: f.id(),
    category: f.string({ max: 20 }),
    title: f.string({ max: 200 }),
    score: f.integer(),
    active: f.boolean(),
    updatedAt: f.timestamp().updatedAt(),
    version: f.version(),
  },
  { indexes: [['category', 'score']] },
);

const COLS = 'id, category, title, score, active, updated_at, version';

/** Issue 3 benchmarks: repository vs raw pg (unnamed and named statements) on a 100k-row table. */
export async function sqlCore(out: string[]): Promise<void> {
  const raw = new pg.Pool({ connectionString: URL, max: 10 });
  await raw.query('DROP TABLE IF EXISTS bench_items');
  const db = createDatabase({ driver: postgres({ url: URL, poolSize: 10 }), repositories: { items: benchItems } });
  await db.connect();

  // Fill 100k rows through the repository, 5k per batch.
  const ids: string[] = [];
  for (let done = 0; done < TABLE_ROWS; done += 5000) {
    const batch = await db.items.createMany(
      Array.from({ length: Math.min(5000, TABLE_ROWS - done) }, (_, i) => ({
        category: `c${(done + i) % 50}`,
        title: `item ${done + i}`,
        score: (done + i) % 1000,
        active: (done + i) % 3 === 0,
      })),
    );
    for (const r of batch) ids.push(r.id);
  }
  await raw.query('ANALYZE bench_items');
  const pick = (i: number) => ids[(i * 7919) % ids.length]!;

  // get by id
  for (const inFlight of [1, 16]) {
    const results = await compare(
      [
        { name: 'raw pg (unnamed)', op: (i) => raw.query(`SELECT ${COLS} FROM bench_items WHERE id = $1`, [pick(i)]) },
        { name: 'raw pg (named)', op: (i) => raw.query({ name: 'b_get', text: `SELECT ${COLS} FROM bench_items WHERE id = $1`, values: [pick(i)] }) },
        { name: 'repo.get', op: (i) => db.items.get(pick(i)) },
      ],
      { count: OPS, inFlight },
    );
    out.push(...rows(`get by id, ${inFlight} in flight`, results, 'raw pg (named)', { variant: 'repo.get', min: 0.9 }));
  }

  // update with version check: versions tracked client-side for both variants
  const versions = new Map<string, number>();
  const { rows: vrows } = await raw.query('SELECT id, version FROM bench_items');
  for (const r of vrows) versions.set(r.id, r.version);
  let slot = 0;
  const nextId = () => ids[(slot++ * 104729) % ids.length]!;
  for (const inFlight of [1, 16]) {
    const results = await compare(
      [
        {
          name: 'raw pg (named)',
          op: async (i) => {
            const id = nextId();
            const v = versions.get(id)!;
            versions.set(id, v + 1);
            const r = await raw.query({
              name: 'b_upd',
              text: `UPDATE bench_items SET score = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4 RETURNING ${COLS}`,
              values: [i % 1000, new Date(), id, v],
            });
            if (r.rowCount !== 1) throw new Error('raw update lost its row');
          },
        },
        {
          name: 'repo.update (expectedVersion)',
          op: async (i) => {
            const id = nextId();
            const v = versions.get(id)!;
            versions.set(id, v + 1);
            await db.items.update(id, { score: i % 1000 }, { expectedVersion: v });
          },
        },
      ],
      { count: OPS / 2, inFlight },
    );
    out.push(...rows(`update with version check, ${inFlight} in flight`, results, 'raw pg (named)', { variant: 'repo.update (expectedVersion)', min: 0.85 }));
  }

  // find: filter + order + limit 20
  for (const inFlight of [1, 16]) {
    const sql = `SELECT ${COLS} FROM bench_items WHERE category = $1 AND score >= $2 ORDER BY score DESC, id DESC LIMIT 20`;
    const results = await compare(
      [
        { name: 'raw pg (unnamed)', op: (i) => raw.query(sql, [`c${i % 50}`, i % 500]) },
        { name: 'raw pg (named)', op: (i) => raw.query({ name: 'b_find', text: sql, values: [`c${i % 50}`, i % 500] }) },
        { name: 'repo.find', op: (i) => db.items.find({ where: { category: `c${i % 50}`, score: { gte: i % 500 } }, orderBy: { score: 'desc' }, limit: 20 }) },
      ],
      { count: OPS / 2, inFlight },
    );
    out.push(...rows(`find filter+order+limit 20, ${inFlight} in flight`, results, 'raw pg (unnamed)', { variant: 'repo.find', min: 0.95 }));
  }

  // createMany of 10k rows vs raw named multi-row inserts (same chunking: 2,000 rows per statement, one transaction)
  const make = (n: number, tag: string) =>
    Array.from({ length: n }, (_, i) => ({ category: 'bulk', title: `${tag} ${i}`, score: i % 1000, active: i % 2 === 0 }));
  const rawInsert = async (tag: string) => {
    const client = await raw.connect();
    try {
      await client.query('BEGIN');
      const items = make(10_000, tag);
      for (let off = 0; off < items.length; off += 2000) {
        const chunk = items.slice(off, off + 2000);
        const values: unknown[] = [];
        const tuples = chunk.map((it, j) => {
          values.push(crypto.randomUUID(), it.category, it.title, it.score, it.active, new Date(), 1);
          const b = j * 7;
          return `($${b + 1},$${b + 2},$${b + 3},$${b + 4},$${b + 5},$${b + 6},$${b + 7})`;
        });
        await client.query({ name: `b_ins_${chunk.length}`, text: `INSERT INTO bench_items (${COLS}) VALUES ${tuples.join(',')}`, values });
      }
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  };
  const bulk = await compare(
    [
      { name: 'raw pg (named multi-row)', op: () => rawInsert('raw') },
      { name: 'repo.createMany', op: () => db.items.createMany(make(10_000, 'repo')) },
    ],
    { count: 1, inFlight: 1, warmup: 1 },
  );
  out.push(...rows('createMany 10k rows (rows/s = ops/s x 10,000)', bulk, 'raw pg (named multi-row)', { variant: 'repo.createMany', min: 0.85 }));

  await raw.query('DROP TABLE IF EXISTS bench_items');
  await db.close();
  await raw.end();
}

export { HEADER, drive, median };
