import * as assert from 'uvu/assert';
import type { Harness } from './harness.js';
import { ids, same } from './harness.js';
import { bulkRepository } from './fixtures.js';

/**
 * Records in the large batch: 7 fields each make 70,007 values, past both
 * PostgreSQL's 65,535 parameters per statement and PGlite's 32,767.
 */
const BULK_RECORDS = 10_001;

/**
 * A large createMany, then reads of every kind: a backend that splits a batch
 * must split it correctly, and must answer correctly afterwards.
 *
 * @example
 * ```ts
 * registerBulkTests(harness);
 * ```
 */
export function registerBulkTests(h: Harness): void {
  const repos = { bulk: bulkRepository(h.table('bulk')) };
  h.group('bulk writes', repos, (test) => {
    test(`createMany of ${BULK_RECORDS} records writes them all; count, find and get are right afterwards`, async ({ db }) => {
      const seed = await db.bulk.create({ seq: -1, label: 'seed', tags: ['seed'] });
      const made = await db.bulk.createMany(Array.from({ length: BULK_RECORDS }, (_, i) => ({ seq: i, label: `r${i}`, note: i % 2 ? null : `n${i}`, tags: [`t${i % 3}`, 'all'] })));
      assert.is(made.length, BULK_RECORDS);
      assert.is(await db.bulk.count(), BULK_RECORDS + 1);
      assert.is(await db.bulk.count({ label: 'seed' }), 1);
      same(await db.bulk.get(seed.id), seed, 'the record written before the batch');
      same(await db.bulk.get(made[0]!.id), made[0], 'the first record of the batch');
      same(await db.bulk.get(made[BULK_RECORDS - 1]!.id), made[BULK_RECORDS - 1], 'the last record of the batch');
      const tail = await db.bulk.find({ where: { seq: { gte: BULK_RECORDS - 3 } }, orderBy: { seq: 'asc' } });
      assert.equal(ids(tail), ids(made.slice(-3)));
      const after = await db.bulk.create({ seq: BULK_RECORDS, label: 'after', tags: [] });
      same(await db.bulk.get(after.id), after, 'a record written after the batch');
      assert.is(await db.bulk.count(), BULK_RECORDS + 2);
    });
  });
}
