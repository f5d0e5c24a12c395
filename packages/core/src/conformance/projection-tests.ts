import * as assert from 'uvu/assert';
import type { Harness } from './harness.js';
import { collectAtMost, ids } from './harness.js';
import { itemsRepository } from './fixtures.js';
import { sortRecords, type Rec } from './reference.js';

/**
 * Projections: `select` returns id and the selected fields only, with
 * ordering and cursors still working on fields that were not selected.
 *
 * @example
 * ```ts
 * registerProjectionTests(harness);
 * ```
 */
export function registerProjectionTests(h: Harness): void {
  const repos = { items: itemsRepository(h.table('select')) };
  h.group('projections', repos, (test) => {
    test('find with select returns exactly id and the selected fields', async ({ db }) => {
      const tag = `s1-${h.runId}`;
      await db.items.createMany([{ name: 'a', tag, rank: 1 }, { name: 'b', tag, rank: null }]);
      const rows = await db.items.find({ where: { tag }, select: ['name', 'rank'], orderBy: { name: 'asc' } });
      assert.equal(rows.map((r) => Object.keys(r).sort()), [['id', 'name', 'rank'], ['id', 'name', 'rank']]);
      assert.equal(rows.map((r) => [r.name, r.rank]), [['a', 1], ['b', null]]);
    });

    test('select with an orderBy on an unselected field keeps the order and leaves the field out', async ({ db }) => {
      const tag = `s2-${h.runId}`;
      const made = await db.items.createMany([{ name: 'x', tag, rank: 3 }, { name: 'y', tag, rank: 1 }, { name: 'z', tag, rank: null }]);
      const rows = await db.items.find({ where: { tag }, select: ['name'], orderBy: { rank: 'desc' } });
      assert.equal(ids(rows as Rec[]), ids(sortRecords(made as unknown as Rec[], [['rank', 'desc']])));
      for (const r of rows) assert.equal(Object.keys(r).sort(), ['id', 'name']);
    });

    test('findPage with select pages through every row with cursors', async ({ db }) => {
      const tag = `s3-${h.runId}`;
      const made = await db.items.createMany(Array.from({ length: 7 }, (_, i) => ({ name: `n${i}`, tag, rank: i % 3 })));
      const seen: string[] = [];
      let after: string | null = null;
      // 7 rows, 2 a page: 4 pages. A cursor that does not advance must fail here, not loop forever.
      for (let pageNo = 0; ; pageNo++) {
        assert.ok(pageNo < 4, `paging ends after 4 pages (seen so far: ${seen.length} rows)`);
        const page: { items: Array<{ id: string; name: string }>; nextCursor: string | null } =
          await db.items.findPage({ where: { tag }, select: ['name'], orderBy: { rank: 'asc' }, limit: 2, after });
        for (const r of page.items) {
          assert.equal(Object.keys(r).sort(), ['id', 'name']);
          seen.push(r.id);
        }
        after = page.nextCursor;
        if (!after) break;
      }
      assert.equal(seen, ids(sortRecords(made as unknown as Rec[], [['rank', 'asc']])));
    });

    test('findOne and iterate honour select', async ({ db }) => {
      const tag = `s4-${h.runId}`;
      await db.items.createMany([{ name: 'p', tag, rank: 1 }, { name: 'q', tag, rank: 2 }]);
      const one = await db.items.findOne({ where: { tag }, select: ['rank'], orderBy: { rank: 'desc' } });
      assert.equal(Object.keys(one ?? {}).sort(), ['id', 'rank']);
      assert.is(one?.rank, 2);
      const all = await collectAtMost(db.items.iterate({ where: { tag }, select: ['name'] }, { pageSize: 1 }), 2, 'iterate by 1');
      assert.equal(all.map((r) => Object.keys(r).sort()), [['id', 'name'], ['id', 'name']]);
    });
  });
}
