import * as assert from 'uvu/assert';
import { defineRepository } from '../schema/define-repository.js';
import { f } from '../schema/fields.js';
import { ChatcoreError } from '../errors.js';
import type { Harness } from './harness.js';
import { rejectsWith, same } from './harness.js';
import type { Rec } from './reference.js';

/**
 * The repository of the aggregate edge tests: a boolean, a double, a
 * bigint and an integer, with a group key `g` that selects the records of each test.
 *
 * @example
 * ```ts
 * const repo = readingsRepository(h.table('aggregate_edges'));
 * ```
 */
export function readingsRepository(table: string) {
  return defineRepository('readings', {
    id: f.id(),
    g: f.string(),
    flag: f.boolean().optional(),
    x: f.number().optional(),
    b: f.bigint().optional(),
    i: f.integer().optional(),
  }, { table });
}

/**
 * Groups a..d hold booleans; `huge` holds doubles near the top of their
 * range and bigints whose total passes 2^63; `large` and `opposite` hold
 * doubles whose squares leave the double range while their sums do not;
 * `ints` holds integers whose exact mean is not a double.
 */
function readingRows(): Rec[] {
  return [
    { g: 'a', flag: true, x: 1, b: 1n },
    { g: 'a', flag: false, x: 2, b: 2n },
    { g: 'b', flag: true },
    { g: 'c', flag: false },
    { g: 'd', flag: null },
    { g: 'huge', x: 1e308, b: 2n ** 62n },
    { g: 'huge', x: 1e308, b: 2n ** 62n },
    { g: 'huge', b: 8n },
    { g: 'huge', b: 2n ** 62n - 1n },
    { g: 'large', x: 1e154 },
    { g: 'large', x: 3e154 },
    { g: 'opposite', x: 1e155 },
    { g: 'opposite', x: -1e155 },
    { g: 'tiny', x: 5e-324 },
    { g: 'tiny', x: -0 },
    { g: 'tiny-negative', x: -5e-324 },
    { g: 'tiny-negative', x: 0 },
    { g: 'tiny-negative', x: 0 },
    { g: 'tiny-up', x: 5e-324 },
    { g: 'tiny-up', x: 5e-324 },
    { g: 'tiny-up', x: 0 },
    // 2531715510 / 11 = 230155955.454545..., whose nearest double is 230155955.45454547.
    { g: 'ints', i: 2147483647 },
    { g: 'ints', i: 384231863 },
    ...Array.from({ length: 9 }, () => ({ g: 'ints', i: 0 })),
    { g: 'ints', i: null },
  ];
}

const BOOLEAN_GROUPS = { g: { in: ['a', 'b', 'c', 'd'] } };

/**
 * Aggregates at the edges every backend must agree on: min and max of a
 * boolean (false before true), also as a sort key of groups; sums and
 * averages of doubles that leave the double range (a typed error on every
 * backend, never Infinity); the average of integers (the double nearest
 * the exact mean); sums of bigints past 2^63 (exact, or refused where the
 * backend cannot add that far; never a rounded number).
 *
 * @example
 * ```ts
 * registerAggregateEdgeTests(harness);
 * ```
 */
export function registerAggregateEdgeTests(h: Harness): void {
  const repos = { readings: readingsRepository(h.table('aggregate_edges')) };
  let seeded: Promise<unknown> | undefined;
  h.group('aggregate edges', repos, (test) => {
    const seed = (db: { readings: { createMany(rows: never[]): Promise<unknown[]> } }) =>
      (seeded ??= db.readings.createMany(readingRows() as never[]));
    if (h.capabilities.aggregateMinMax) {
      test('min and max of a boolean are false and true; of no value null', async ({ db }) => {
        await seed(db);
        const [all] = await db.readings.aggregate({ where: BOOLEAN_GROUPS, min: ['flag'], max: ['flag'] });
        same([all!.min.flag, all!.max.flag], [false, true], 'over a..d');
        const [onlyTrue] = await db.readings.aggregate({ where: { g: 'b' }, min: ['flag'], max: ['flag'] });
        same([onlyTrue!.min.flag, onlyTrue!.max.flag], [true, true], 'over b');
        const [none] = await db.readings.aggregate({ where: { g: 'd' }, min: ['flag'], max: ['flag'] });
        same([none!.min.flag, none!.max.flag], [null, null], 'over d');
      });
    } else {
      test('min and max of a boolean are refused with UnsupportedQueryError (aggregateMinMax: false)', async ({ db }) => {
        await rejectsWith(() => db.readings.aggregate({ min: ['flag'] }), 'UNSUPPORTED_QUERY', 'min of a boolean');
        await rejectsWith(() => db.readings.aggregate({ max: ['flag'] }), 'UNSUPPORTED_QUERY', 'max of a boolean');
      });
    }
    if (h.capabilities.aggregateMinMax && h.capabilities.groupBy) {
      test('groups ordered by min of a boolean, descending (nulls last, then the group ascending)', async ({ db }) => {
        await seed(db);
        const found = await db.readings.aggregate({ where: BOOLEAN_GROUPS, groupBy: ['g'], min: ['flag'], max: ['flag'], orderBy: { min: { flag: 'desc' } } });
        same(found.map((r) => [r.group.g, r.min.flag, r.max.flag]), [['b', true, true], ['a', false, true], ['c', false, false], ['d', null, null]], 'groups');
      });
    }
    test('sum and avg of doubles past the double range are refused with a typed error, never Infinity', async ({ db }) => {
      await seed(db);
      for (const q of [{ sum: ['x'] }, { avg: ['x'] }] as const) {
        const e = await rejectsWith(() => db.readings.aggregate({ where: { g: 'huge' }, ...q }), 'DRIVER', JSON.stringify(q));
        assert.match(e.message, /out of range of a double/);
        assert.not.match(e.message, /written/);
      }
      const [fine] = await db.readings.aggregate({ where: { g: 'a' }, sum: ['x'], avg: ['x'] });
      same([fine!.sum.x, fine!.avg.x], [3, 1.5], 'in range');
    });
    test('avg of integers is the double nearest their exact mean, nulls ignored (2531715510 / 11)', async ({ db }) => {
      await seed(db);
      const [r] = await db.readings.aggregate({ where: { g: 'ints' }, avg: ['i'], sum: ['i'] });
      same([r!.sum.i, r!.avg.i], [2531715510, 230155955.45454547], 'sum and avg of i');
    });
    test('avg of doubles whose squares leave the double range is their mean (1e154 and 3e154; 1e155 and -1e155)', async ({ db }) => {
      await seed(db);
      const [large] = await db.readings.aggregate({ where: { g: 'large' }, avg: ['x'], sum: ['x'] });
      same([large!.avg.x, large!.sum.x], [2e154, 4e154], 'large');
      const [opposite] = await db.readings.aggregate({ where: { g: 'opposite' }, avg: ['x'] });
      same(opposite!.avg.x, 0, 'opposite');
      const [none] = await db.readings.aggregate({ where: { g: 'b' }, avg: ['x'] });
      same(none!.avg.x, null, 'avg over no value');
    });
    test('avg of doubles whose mean rounds to zero is zero with the sum\'s sign, never an error (5e-324 and -0)', async ({ db }) => {
      await seed(db);
      const means: unknown[] = [];
      for (const g of ['tiny', 'tiny-negative', 'tiny-up']) {
        const [r] = await db.readings.aggregate({ where: { g }, sum: ['x'], avg: ['x'] });
        means.push([g, r!.sum.x, r!.avg.x === 0 ? 0 : r!.avg.x]); // -0 or 0
      }
      same(means, [['tiny', 5e-324, 0], ['tiny-negative', -5e-324, 0], ['tiny-up', 1e-323, 5e-324]], 'means');
    });
    test('sum of bigints past 2^63 is exact, or refused with UnsupportedQueryError; never rounded', async ({ db }) => {
      await seed(db);
      const exact = 2n ** 62n * 3n + 7n;
      let total: unknown;
      try {
        [total] = (await db.readings.aggregate({ where: { g: 'huge' }, sum: ['b'] })).map((r) => r.sum.b);
      } catch (e) {
        if (!(e instanceof ChatcoreError) || e.code !== 'UNSUPPORTED_QUERY') throw e;
        assert.match(e.message, /64-bit/);
        return;
      }
      same(total, exact, 'sum of b');
    });
  });
}
