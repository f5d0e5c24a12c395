import { createDatabase, defineRepository, f, type Driver } from '@chatcore/core';
import { defineMigration } from '../../src/index.js';

/** Before: a counter per row. */
export const jobsV1 = defineRepository('jobs', { id: f.id(), n: f.integer(), name: f.string() });

/** Fill `jobs` (version 1) with `rows` rows of n = 0, 500 per createMany, then close. */
export async function seedJobs(driver: Driver, rows: number): Promise<void> {
  const db = createDatabase({ driver, repositories: { jobs: jobsV1 } });
  await db.connect();
  for (let at = 0; at < rows; at += 500) await db.jobs.createMany(Array.from({ length: Math.min(500, rows - at) }, (_, k) => ({ n: 0, name: `#${at + k}` })));
  await db.close();
}

/** After: `name` renamed to `title`, a required `label` added. */
export const jobsV2 = defineRepository('jobs', { id: f.id(), n: f.integer(), title: f.string(), label: f.string() });

/**
 * Not idempotent on purpose: applied twice, a row would hold n = 2. Two
 * processes that run it at once must leave every n at 1.
 */
export const bumpOnce = defineMigration({
  id: 'j001_bump_once',
  up(m) {
    m.renameField('jobs', 'name', 'title');
    m.addField('jobs', 'label');
    m.backfill<typeof jobsV2>('jobs', { batchSize: 100 }, (row) => ({ n: row.n + 1, label: `job ${row.title}` }));
  },
});

/** Slow enough to be killed in the middle: a few ms per row, small batches. */
export const slowFill = defineMigration({
  id: 'j001_slow_fill',
  up(m) {
    m.renameField('jobs', 'name', 'title');
    m.addField('jobs', 'label');
    m.backfill<typeof jobsV2>('jobs', { batchSize: 50 }, async (row) => {
      await new Promise((r) => setTimeout(r, 3));
      return { label: `job ${row.title}` };
    });
  },
});
