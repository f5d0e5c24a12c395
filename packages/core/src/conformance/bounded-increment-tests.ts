import * as assert from 'uvu/assert';
import type { Harness } from './harness.js';
import { rejectsWith, same } from './harness.js';
import { defineRepository } from '../schema/define-repository.js';
import { f } from '../schema/fields.js';
import type { ValidationError } from '../errors.js';

function meterRepository(table: string) {
  return defineRepository('meters', {
    id: f.id(),
    tag: f.string(),
    n: f.integer({ min: 0, max: 100 }).default(0),
    floor: f.integer({ min: 10 }).optional(),
    ratio: f.number({ min: 0, max: 1 }).default(0),
    credit: f.bigint({ min: -5n, max: 5n }).default(0n),
    huge: f.number({ min: -1e308, max: 1e308 }).optional(),
    peak: f.number({ max: 1e308 }).optional(),
    version: f.version(),
  }, { table });
}

/** The single issue of a refused increment, checked for path, field, bound and reached value. */
function assertIssue(e: unknown, field: string, words: RegExp, what: string): void {
  const issues = (e as ValidationError).issues;
  assert.is(issues.length, 1, `${what}: one issue (${(e as Error).message})`);
  assert.is(issues[0]!.path, `${field}.increment`, `${what}: the issue's path`);
  assert.match(issues[0]!.message, new RegExp(`meters\\.${field}`), `${what}: the message names the field`);
  assert.match(issues[0]!.message, words, `${what}: the message names the bound and the value reached`);
}

/**
 * A field's declared `min` and `max` bound increments as they bound values
 * written with `set`: an increment whose result would pass a bound raises
 * the same ValidationError on every backend (path `<field>.increment`, the
 * bound and the value it would reach in the message) and writes nothing, for
 * `update`, `updateMany`, `upsert` and inside transactions; a missing record
 * or a stale version is still reported as such.
 *
 * @example
 * ```ts
 * registerBoundedIncrementTests(harness);
 * ```
 */
export function registerBoundedIncrementTests(h: Harness): void {
  const repos = { meters: meterRepository(h.table('bounded')) };
  h.group('increments within declared bounds', repos, (test) => {
    test('an increment up to a bound applies; one past it is a ValidationError naming field, bound and value, nothing written', async ({ db }) => {
      const r = await db.meters.create({ tag: `b-${h.runId}`, n: 95, ratio: 0.5, credit: 3n });
      const top = await db.meters.update(r.id, { n: { increment: 5 }, ratio: { increment: 0.5 }, credit: { increment: 2n } });
      assert.equal([top.n, top.ratio, top.credit], [100, 1, 5n], 'exactly at the maximum is allowed');
      assertIssue(await rejectsWith(() => db.meters.update(r.id, { n: { increment: 1 } }), 'VALIDATION', 'integer max'), 'n', /\b101\b.*maximum of 100/, 'integer max');
      assertIssue(await rejectsWith(() => db.meters.update(r.id, { n: { increment: -101 } }), 'VALIDATION', 'integer min'), 'n', /-1\b.*minimum of 0/, 'integer min');
      assertIssue(await rejectsWith(() => db.meters.update(r.id, { ratio: { increment: 0.25 } }), 'VALIDATION', 'number max'), 'ratio', /1\.25.*maximum of 1/, 'number max');
      assertIssue(await rejectsWith(() => db.meters.update(r.id, { credit: { increment: -11n } }), 'VALIDATION', 'bigint min'), 'credit', /-6\b.*minimum of -5/, 'bigint min');
      await rejectsWith(() => db.meters.update(r.id, { n: { increment: 2_000_000_000 } }), 'VALIDATION', 'far past the maximum');
      await rejectsWith(() => db.meters.update(r.id, { tag: 'changed', n: { increment: -1 }, ratio: { increment: 1 } }), 'VALIDATION', 'with other changes');
      same(await db.meters.get(r.id), top, 'record unchanged');
      const low = await db.meters.update(r.id, { n: { increment: -100 }, credit: { increment: -10n } });
      assert.equal([low.n, low.credit], [0, -5n], 'exactly at the minimum is allowed');
    });

    test('a number increment past the largest double is a ValidationError at the bound, not a database error', async ({ db }) => {
      const ulp = 2 ** 971; // of 1e308
      const r = await db.meters.create({ tag: `d-${h.runId}`, huge: 1e308, peak: -1e308 });
      assertIssue(await rejectsWith(() => db.meters.update(r.id, { huge: { increment: 1e308 } }), 'VALIDATION', 'overflow up'), 'huge', /to Infinity, above its maximum of 1e\+308/, 'overflow up');
      assertIssue(await rejectsWith(() => db.meters.update(r.id, { huge: { increment: ulp } }), 'VALIDATION', 'one step up'), 'huge', /to 1\.0000000000000002e\+308, above/, 'one step up');
      // Exactly half a step rounds to even, back to the maximum, as in JS.
      assert.is((await db.meters.update(r.id, { huge: { increment: ulp / 2 } })).huge, 1e308, 'half a step');
      await db.meters.update(r.id, { huge: { increment: -1e308 } });
      const low = await db.meters.update(r.id, { huge: { increment: -1e308 } });
      assert.is(low.huge, -1e308, 'down to the minimum');
      assertIssue(await rejectsWith(() => db.meters.update(r.id, { huge: { increment: -1e308 } }), 'VALIDATION', 'overflow down'), 'huge', /to -Infinity, below its minimum of -1e\+308/, 'overflow down');
      // Without a lower bound, a sum that overflows still leaves what a double holds.
      const e = await rejectsWith(() => db.meters.update(r.id, { peak: { increment: -Number.MAX_VALUE } }), 'VALIDATION', 'one-sided overflow');
      assert.equal((e as ValidationError).issues.map((i) => [i.path, i.message]), [['peak.increment', 'the result leaves the range of meters.peak']]);
      same(await db.meters.get(r.id), low, 'record unchanged');
      const near = await db.meters.update(r.id, { huge: { increment: 1.5e308 }, peak: { increment: Number.MAX_VALUE } });
      assert.equal([near.huge, near.peak], [-1e308 + 1.5e308, -1e308 + Number.MAX_VALUE], 'large sums inside the range apply');
      const small = await db.meters.create({ tag: `d-${h.runId}`, huge: 0.1, peak: 5e-324 });
      const sum = await db.meters.update(small.id, { huge: { increment: 0.2 }, peak: { increment: 5e-324 } });
      assert.equal([sum.huge, sum.peak], [0.1 + 0.2, 1e-323], 'ordinary and subnormal sums are exactly what JS gives');
    });

    test('a one-sided bound checks that side only, and an increment of a null stays null', async ({ db }) => {
      const r = await db.meters.create({ tag: `o-${h.runId}`, floor: 12 });
      assert.is((await db.meters.update(r.id, { floor: { increment: 1_000_000 } })).floor, 1_000_012);
      assertIssue(await rejectsWith(() => db.meters.update(r.id, { floor: { increment: -1_000_003 } }), 'VALIDATION', 'floor'), 'floor', /\b9\b.*minimum of 10/, 'floor');
      const empty = await db.meters.create({ tag: `o-${h.runId}` });
      assert.is((await db.meters.update(empty.id, { floor: { increment: -50 } })).floor, null);
    });

    test('updateMany and upsert refuse an increment past a bound for any record, writing nothing', async ({ db }) => {
      const tag = `m-${h.runId}`;
      await db.meters.createMany([{ id: `m1-${h.runId}`, tag, n: 10 }, { id: `m2-${h.runId}`, tag, n: 97 }, { id: `m3-${h.runId}`, tag, n: 50 }]);
      const before = await db.meters.find({ where: { tag }, orderBy: { id: 'asc' } });
      assertIssue(await rejectsWith(() => db.meters.updateMany({ tag }, { n: { increment: 4 } }), 'VALIDATION', 'updateMany'), 'n', /\b101\b.*maximum of 100/, 'updateMany');
      same(await db.meters.find({ where: { tag }, orderBy: { id: 'asc' } }), before, 'no record changed');
      await rejectsWith(() => db.meters.upsert({ id: `m2-${h.runId}`, tag }, { update: { n: { increment: 4 } } }), 'VALIDATION', 'upsert');
      same(await db.meters.find({ where: { tag }, orderBy: { id: 'asc' } }), before, 'upsert changed nothing');
      assert.is(await db.meters.updateMany({ tag }, { n: { increment: 3 } }), 3, 'an increment that stays in range applies');
      assert.equal((await db.meters.find({ where: { tag }, orderBy: { id: 'asc' } })).map((x) => x.n), [13, 100, 53]);
    });

    test('a missing record or a stale version is reported as such, not as out of range', async ({ db }) => {
      const r = await db.meters.create({ tag: `v-${h.runId}`, n: 100 });
      await rejectsWith(() => db.meters.update(r.id, { n: { increment: 1 } }, { expectedVersion: 7 }), 'CONFLICT', 'stale version');
      await rejectsWith(() => db.meters.update(`missing-${h.runId}`, { n: { increment: 1 } }), 'NOT_FOUND', 'missing record');
      same(await db.meters.get(r.id), r, 'record unchanged');
    });

    if (h.capabilities.transactions) {
      test('inside a transaction a refused increment raises ValidationError and the transaction commits nothing', async ({ db }) => {
        const tag = `t-${h.runId}`;
        const r = await db.meters.create({ tag, n: 99 });
        const e = await rejectsWith(() => db.transaction(async (tx) => {
          await tx.meters.create({ tag, n: 1 });
          await tx.meters.update(r.id, { n: { increment: 1 } });
          await tx.meters.update(r.id, { n: { increment: 1 } });
        }), 'VALIDATION', 'transaction');
        assertIssue(e, 'n', /\b101\b.*maximum of 100/, 'transaction');
        assert.is(await db.meters.count({ tag }), 1, 'the create was rolled back');
        same(await db.meters.get(r.id), r, 'record unchanged');
      });
    }

    if (h.capabilities.transactions && h.capabilities.nestedTransactions) {
      test('a refused increment in a nested transaction rolls back only that savepoint', async ({ db }) => {
        const tag = `s-${h.runId}`;
        const r = await db.meters.create({ tag, n: 98 });
        await db.transaction(async (tx) => {
          await tx.meters.update(r.id, { n: { increment: 1 } });
          await rejectsWith(() => tx.transaction((inner) => inner.meters.update(r.id, { n: { increment: 2 } })), 'VALIDATION', 'savepoint');
          await tx.meters.update(r.id, { n: { increment: 1 } });
        });
        assert.is((await db.meters.get(r.id))?.n, 100);
      });
    }
  });
}
