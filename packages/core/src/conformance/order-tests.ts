import * as assert from 'uvu/assert';
import { ValidationError } from '../errors.js';
import type { Harness } from './harness.js';
import { ids, rejectsWith } from './harness.js';
import { itemsRepository } from './fixtures.js';
import { filterRows } from './filter-data.js';
import { sortRecords, type Rec, type SortSpec } from './reference.js';

/**
 * Sort specs covering each ordered type, both directions, nulls and multi-key orders.
 *
 * @example
 * ```ts
 * for (const spec of SORT_CASES) sortRecords(rows, spec);
 * ```
 */
export const SORT_CASES: readonly SortSpec[] = [
  [],
  [['rank', 'asc']],
  [['rank', 'desc']],
  [['score', 'asc']],
  [['big', 'desc']],
  [['at', 'asc']],
  [['at', 'desc']],
  [['flag', 'asc']],
  [['kind', 'desc']],
  [['name', 'asc']],
  [['kind', 'asc'], ['rank', 'desc']],
  [['flag', 'desc'], ['at', 'asc'], ['name', 'desc']],
  [['rank', 'asc'], ['id', 'desc']],
];

/**
 * `orderBy` of a find query from a sort spec.
 *
 * @example
 * ```ts
 * orderByOf([['rank', 'asc']]); // [{ rank: 'asc' }]
 * ```
 */
export function orderByOf(spec: SortSpec): Rec[] {
  return spec.map(([field, dir]) => ({ [field]: dir }));
}

/**
 * A readable name of a sort spec.
 *
 * @example
 * ```ts
 * specName([['rank', 'desc']]); // 'rank desc'
 * ```
 */
export function specName(spec: SortSpec): string {
  return spec.length ? spec.map(([f, d]) => `${f} ${d}`).join(', ') : '(default: id asc)';
}

/**
 * Ordering (nulls first ascending, last descending, id tie-breaker) and limit/offset.
 *
 * @example
 * ```ts
 * registerOrderTests(harness);
 * ```
 */
export function registerOrderTests(h: Harness): void {
  const repos = { items: itemsRepository(h.table('order')) };
  let seeded: Promise<Rec[]> | undefined;
  h.group('ordering and offset', repos, (test) => {
    const rows = (db: { items: { createMany(rows: never[]): Promise<unknown[]> } }) =>
      (seeded ??= db.items.createMany(filterRows() as never[]) as Promise<Rec[]>);

    for (const spec of SORT_CASES) {
      test(`orderBy ${specName(spec)} matches the reference order (nulls first asc, last desc, ties by id)`, async ({ db }) => {
        const all = await rows(db);
        const found = await db.items.find({ orderBy: orderByOf(spec) as never });
        assert.equal(ids(found as Rec[]), ids(sortRecords(all, spec)));
      });
    }

    test('limit returns the first rows of the order', async ({ db }) => {
      const all = await rows(db);
      const found = await db.items.find({ orderBy: { rank: 'desc' }, limit: 5 });
      assert.equal(ids(found as Rec[]), ids(sortRecords(all, [['rank', 'desc']]).slice(0, 5)));
    });

    test('findOne returns the first row of the order', async ({ db }) => {
      const all = await rows(db);
      const one = await db.items.findOne({ where: { tag: 'odd' }, orderBy: [{ at: 'desc' }, { rank: 'asc' }] });
      const expected = sortRecords(all.filter((r) => r.tag === 'odd'), [['at', 'desc'], ['rank', 'asc']])[0]!;
      assert.is(one?.id, expected.id);
    });

    test('an orderBy list item with two keys is a ValidationError naming the item, as on every backend', async ({ db }) => {
      await rows(db);
      for (const orderBy of [[{ rank: 'asc', name: 'desc' }], [{ kind: 'asc' }, { at: 'desc', rank: 'asc' }]]) {
        const error = await rejectsWith(() => db.items.find({ orderBy: orderBy as never }), 'VALIDATION', JSON.stringify(orderBy));
        assert.match(error.message, /one key per list item/);
        assert.instance(error, ValidationError);
        assert.equal((error as ValidationError).issues.map((i) => i.path), [`orderBy[${orderBy.length - 1}]`]);
      }
      await rejectsWith(() => db.items.findPage({ orderBy: [{ rank: 'asc', name: 'desc' }] as never, limit: 2 }), 'VALIDATION', 'findPage');
      const one = await db.items.find({ orderBy: { rank: 'asc', name: 'desc' }, limit: 1 });
      assert.is(one.length, 1, 'one object keeps its keys in order');
    });

    if (h.capabilities.offset) {
      test('offset is applied after the filter, then limit', async ({ db }) => {
        const all = await rows(db);
        const matching = sortRecords(all.filter((r) => r.tag === 'odd'), [['rank', 'asc']]);
        for (const [offset, limit] of [[0, 3], [2, 3], [3, 100], [matching.length - 1, 5], [matching.length, 5], [matching.length + 3, 5]] as const) {
          const found = await db.items.find({ where: { tag: 'odd' }, orderBy: { rank: 'asc' }, offset, limit });
          assert.equal(ids(found as Rec[]), ids(matching.slice(offset, offset + limit)), `offset ${offset} limit ${limit}`);
        }
      });

      test('offset without a limit skips rows of the filtered order', async ({ db }) => {
        const all = await rows(db);
        const matching = sortRecords(all.filter((r) => r.rank !== null && (r.rank as number) >= 1), [['name', 'desc']]);
        const found = await db.items.find({ where: { rank: { gte: 1 } }, orderBy: { name: 'desc' }, offset: 4 });
        assert.equal(ids(found as Rec[]), ids(matching.slice(4)));
      });
    } else {
      test('offset is refused with UnsupportedQueryError (the driver declares offset: false)', async ({ db }) => {
        await rows(db);
        await rejectsWith(() => db.items.find({ offset: 1, limit: 2 }), 'UNSUPPORTED_QUERY', 'offset');
      });
    }
  });
}
