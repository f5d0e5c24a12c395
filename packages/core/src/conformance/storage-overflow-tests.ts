import * as assert from 'uvu/assert';
import type { Harness } from './harness.js';
import { rejectsWith, same } from './harness.js';
import { defineRepository } from '../schema/define-repository.js';
import { f } from '../schema/fields.js';
import type { ValidationError } from '../errors.js';
import { INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN } from '../schema/integer-range.js';

function tallyRepository(table: string) {
  return defineRepository('tallies', {
    id: f.id(),
    tag: f.string(),
    key: f.string().unique().optional(),
    count: f.integer().default(0),
    total: f.bigint().default(0n),
    amount: f.number().default(0),
    version: f.version(),
  }, { table });
}

function plainRepository(table: string) {
  return defineRepository('plains', { id: f.id(), count: f.integer().default(0) }, { table });
}

/** The issues of a refused increment past the storage type, as [path, message] pairs. */
async function overflowIssues(fn: () => Promise<unknown>, what: string): Promise<string[][]> {
  const e = await rejectsWith(fn, 'VALIDATION', what);
  return (e as ValidationError).issues.map((i) => [i.path, i.message]);
}

const leaves = (field: string, repo = 'tallies') => [`${field}.increment`, `the result leaves the range of ${repo}.${field}`];

/**
 * A field without declared bounds is bounded by its storage type only
 * (int32 for `f.integer()`, int64 for `f.bigint()`, a finite double for
 * `f.number()`): an increment past it raises the same ValidationError on
 * every backend (path `<field>.increment`, "the result leaves the range of
 * repo.field") and writes nothing, for `update`, `updateMany` and `upsert`.
 *
 * @example
 * ```ts
 * registerStorageOverflowTests(harness);
 * ```
 */
export function registerStorageOverflowTests(h: Harness): void {
  const repos = { tallies: tallyRepository(h.table('overflow')), plains: plainRepository(h.table('overflow_plain')) };
  h.group('increments past the storage type', repos, (test) => {
    test('update past int32, int64 or the largest double is a ValidationError at <field>.increment, nothing written', async ({ db }) => {
      const top = await db.tallies.create({ tag: `u-${h.runId}`, count: INT32_MAX, total: INT64_MAX, amount: Number.MAX_VALUE });
      const bottom = await db.tallies.create({ tag: `u-${h.runId}`, count: INT32_MIN, total: INT64_MIN, amount: -Number.MAX_VALUE });
      assert.equal(await overflowIssues(() => db.tallies.update(top.id, { count: { increment: 1 } }), 'int32 up'), [leaves('count')]);
      assert.equal(await overflowIssues(() => db.tallies.update(bottom.id, { count: { increment: -1 } }), 'int32 down'), [leaves('count')]);
      assert.equal(await overflowIssues(() => db.tallies.update(top.id, { total: { increment: 1n } }), 'int64 up'), [leaves('total')]);
      assert.equal(await overflowIssues(() => db.tallies.update(bottom.id, { total: { increment: -1n } }), 'int64 down'), [leaves('total')]);
      assert.equal(await overflowIssues(() => db.tallies.update(top.id, { amount: { increment: Number.MAX_VALUE } }), 'double up'), [leaves('amount')]);
      assert.equal(await overflowIssues(() => db.tallies.update(bottom.id, { amount: { increment: -Number.MAX_VALUE } }), 'double down'), [leaves('amount')]);
      // Several increments in one patch: only the one that overflows is named.
      assert.equal(await overflowIssues(() => db.tallies.update(top.id, { tag: 'x', amount: { increment: -1e300 }, count: { increment: 1 } }), 'mixed'), [leaves('count')]);
      same(await db.tallies.get(top.id), top, 'top unchanged');
      same(await db.tallies.get(bottom.id), bottom, 'bottom unchanged');
      const back = await db.tallies.update(top.id, { count: { increment: -1 }, total: { increment: -1n }, amount: { increment: -Number.MAX_VALUE } });
      assert.equal([back.count, back.total, back.amount], [INT32_MAX - 1, INT64_MAX - 1n, 0], 'increments within range apply');
    });

    test('updateMany past the storage type for any record is a ValidationError, no record changed', async ({ db }) => {
      const tag = `m-${h.runId}`;
      await db.tallies.createMany([
        { id: `m1-${h.runId}`, tag, count: 5, total: 5n, amount: 5 },
        { id: `m2-${h.runId}`, tag, count: INT32_MAX, total: INT64_MAX, amount: Number.MAX_VALUE },
      ]);
      const before = await db.tallies.find({ where: { tag }, orderBy: { id: 'asc' } });
      assert.equal(await overflowIssues(() => db.tallies.updateMany({ tag }, { count: { increment: 1 } }), 'int32'), [leaves('count')]);
      assert.equal(await overflowIssues(() => db.tallies.updateMany({ tag }, { total: { increment: 1n } }), 'int64'), [leaves('total')]);
      assert.equal(await overflowIssues(() => db.tallies.updateMany({ tag }, { amount: { increment: Number.MAX_VALUE } }), 'double'), [leaves('amount')]);
      same(await db.tallies.find({ where: { tag }, orderBy: { id: 'asc' } }), before, 'no record changed');
    });

    test('upsert that updates past the storage type is a ValidationError, nothing written', async ({ db }) => {
      const tag = `p-${h.runId}`;
      const r = await db.tallies.create({ tag, key: `k-${h.runId}`, count: INT32_MAX, total: INT64_MAX, amount: Number.MAX_VALUE });
      assert.equal(await overflowIssues(() => db.tallies.upsert({ id: r.id, tag }, { update: { count: { increment: 1 } } }), 'int32'), [leaves('count')]);
      assert.equal(await overflowIssues(() => db.tallies.upsert({ id: r.id, tag }, { update: { total: { increment: 1n } } }), 'int64'), [leaves('total')]);
      assert.equal(await overflowIssues(() => db.tallies.upsert({ id: r.id, tag }, { update: { amount: { increment: Number.MAX_VALUE } } }), 'double'), [leaves('amount')]);
      if (h.capabilities.upsertOnUniqueFields) {
        const byKey = () => db.tallies.upsert({ tag, key: `k-${h.runId}` }, { conflict: ['key'], update: { count: { increment: 1 } } });
        assert.equal(await overflowIssues(byKey, 'int32 by key'), [leaves('count')]);
      }
      same(await db.tallies.get(r.id), r, 'record unchanged');
      assert.is(await db.tallies.count({ tag }), 1, 'nothing inserted');
    });

    if (h.capabilities.transactions) {
      test('inside a transaction an increment past the storage type raises ValidationError and nothing commits', async ({ db }) => {
        const r = await db.plains.create({ count: INT32_MAX });
        const issues = await overflowIssues(() => db.transaction(async (tx) => {
          await tx.plains.create({ count: 1 });
          await tx.plains.update(r.id, { count: { increment: 1 } });
        }), 'transaction');
        assert.equal(issues, [leaves('count', 'plains')]);
        assert.is(await db.plains.count({ count: 1 }), 0, 'the create was rolled back');
        same(await db.plains.get(r.id), r, 'record unchanged');
      });
    }
  });
}
