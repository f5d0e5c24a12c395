import * as assert from 'uvu/assert';
import type { Harness } from './harness.js';
import { ids } from './harness.js';
import { itemsRepository } from './fixtures.js';
import { BASE_MS, P53, filterRows } from './filter-data.js';
import { orderByOf, specName } from './order-tests.js';
import { compareRecords, rowsAfter, withIdTieBreaker, type Rec, type SortSpec } from './reference.js';

const PAGING_CASES: ReadonlyArray<{ spec: SortSpec; pageSize: number }> = [
  { spec: [], pageSize: 4 },
  { spec: [['rank', 'asc']], pageSize: 3 },
  { spec: [['rank', 'desc']], pageSize: 3 },
  { spec: [['rank', 'asc']], pageSize: 1 },
  { spec: [['at', 'desc']], pageSize: 4 },
  { spec: [['big', 'asc']], pageSize: 3 },
  { spec: [['kind', 'asc'], ['rank', 'desc']], pageSize: 3 },
  { spec: [['name', 'asc']], pageSize: 3 },
  { spec: [['flag', 'desc'], ['at', 'asc'], ['name', 'desc']], pageSize: 5 },
];
/** Pages after which rows are inserted; later pages only read, so paging ends. */
const MUTATING_PAGES = 6;

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)]!;
}

function randomRow(rnd: () => number, tag: string): Rec {
  return {
    tag,
    name: pick(rnd, ['apple', 'b', 'Apple', 'cherry', 'a%b', '\u{1F600}', '\uFF61']),
    rank: pick(rnd, [null, -1, 0, 1, 2, 3, 5]),
    score: pick(rnd, [null, -3, 0, 1.5, 4.5]),
    big: pick(rnd, [null, P53 - 1n, P53, P53 + 1n]),
    at: pick(rnd, [null, 0, 1, 3, 5]) === null ? null : new Date(BASE_MS + pick(rnd, [0, 1, 3, 5])),
    flag: pick(rnd, [null, true, false]),
    kind: pick(rnd, [null, 'alpha', 'beta', 'gamma']),
  };
}

/** The sortable fields of a row (what a tie must copy). */
function sortValues(row: Rec): Rec {
  const { name, rank, score, big, at, flag, kind } = row;
  return { name, rank, score, big, at, flag, kind };
}

/**
 * Keyset paging under concurrent inserts: between pages, rows are inserted
 * before the cursor, tied with it (ids just below and just above), and after
 * it, and the cursor row is sometimes updated or deleted. Every page must
 * equal the same data sorted in plain JavaScript and cut after the previous
 * page's last row: nothing skipped, nothing repeated, and rows inserted after
 * the cursor are reached later.
 *
 * @example
 * ```ts
 * registerPagingTests(harness);
 * ```
 */
export function registerPagingTests(h: Harness): void {
  const repos = { items: itemsRepository(h.table('paging')) };
  h.group('keyset paging', repos, (test) => {
    for (const [caseNo, { spec, pageSize }] of PAGING_CASES.entries()) {
      test(`cursor paging by ${specName(spec)}, page size ${pageSize}, with rows inserted before, at and after the cursor between pages`, async ({ db }) => {
        const tag = `p${caseNo}-${h.runId}`;
        const rnd = random(caseNo + 1);
        const full = withIdTieBreaker(spec);
        const initial = filterRows().map((r) => ({ ...r, tag }));
        const mirror = new Map<string, Rec>();
        for (const r of (await db.items.createMany(initial as never[])) as Rec[]) mirror.set(r.id as string, r);
        const mustAppear = new Set(mirror.keys());
        const mustNotAppear = new Set<string>();
        const seen = new Set<string>();
        let insertedBefore = 0;
        let insertedAfter = 0;
        let cursor: string | null = null;
        let last: Rec | undefined;
        for (let pageNo = 0; ; pageNo++) {
          assert.ok(pageNo < 200, 'paging ends');
          const page: { items: Rec[]; nextCursor: string | null } = await db.items.findPage({ where: { tag }, orderBy: orderByOf(spec) as never, limit: pageSize, after: cursor });
          const remaining = rowsAfter([...mirror.values()], spec, last);
          assert.equal(ids(page.items as Rec[]), ids(remaining.slice(0, pageSize)), `page ${pageNo} equals the reference order after the cursor`);
          for (const id of ids(page.items as Rec[])) {
            assert.ok(!seen.has(id), `row ${id} returned twice (page ${pageNo})`);
            seen.add(id);
          }
          if (page.nextCursor === null) {
            assert.is(remaining.length, page.items.length, `no nextCursor only at the end (page ${pageNo})`);
            break;
          }
          assert.ok(remaining.length > pageSize, `a nextCursor only when rows remain (page ${pageNo})`);
          last = { ...mirror.get(page.items.at(-1)!.id as string)! };
          cursor = page.nextCursor;
          if (pageNo >= MUTATING_PAGES) continue;

          const lastId = last.id as string;
          const fresh: Rec[] = [
            { ...sortValues(last), tag, id: `${lastId.slice(0, -1)}-${pageNo}` },
            { ...sortValues(last), tag, id: `${lastId}-${pageNo}` },
            randomRow(rnd, tag),
            randomRow(rnd, tag),
            { ...randomRow(rnd, tag), id: `${lastId.slice(0, -1)}-r${pageNo}` },
          ];
          for (const r of (await db.items.createMany(fresh as never[])) as Rec[]) {
            mirror.set(r.id as string, r);
            if (compareRecords(full, r, last) > 0) {
              mustAppear.add(r.id as string);
              insertedAfter++;
            } else {
              mustNotAppear.add(r.id as string);
              insertedBefore++;
            }
          }
          // The cursor is a position, not a row: deleting or changing the row it came from must not matter.
          if (pageNo % 3 === 1) {
            await db.items.delete(lastId);
            mirror.delete(lastId);
          } else if (pageNo % 3 === 2) {
            // Fields outside the order only: a row moved past the cursor would rightly be returned again.
            const changed = (await db.items.update(lastId, { counter: { increment: 1 } })) as Rec;
            mirror.set(lastId, changed);
          }
        }
        for (const id of mustAppear) if (mirror.has(id)) assert.ok(seen.has(id), `row ${id} (present from the start or inserted after the cursor) was skipped`);
        for (const id of mustNotAppear) assert.ok(!seen.has(id), `row ${id} inserted before the cursor was returned`);
        assert.ok(insertedBefore > 0 && insertedAfter > 0, 'the test inserted rows on both sides of the cursor');
      });
    }

    test('a page of exactly the remaining rows has no nextCursor; an empty result has none either', async ({ db }) => {
      const tag = `pe-${h.runId}`;
      await db.items.createMany([{ name: 'a', tag }, { name: 'b', tag }, { name: 'c', tag }]);
      const first = await db.items.findPage({ where: { tag }, orderBy: { name: 'asc' }, limit: 2 });
      assert.equal(first.items.map((r) => r.name), ['a', 'b']);
      assert.type(first.nextCursor, 'string');
      const second = await db.items.findPage({ where: { tag }, orderBy: { name: 'asc' }, limit: 1, after: first.nextCursor });
      assert.equal(second.items.map((r) => r.name), ['c']);
      assert.is(second.nextCursor, null);
      const none = await db.items.findPage({ where: { tag: `${tag}-none` }, limit: 5 });
      assert.equal(none.items, []);
      assert.is(none.nextCursor, null);
    });
  });
}
