import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createDatabase, defineRepository, f } from '@chatcore/core';
import { useFirestoreEmulator } from '../src/testing/index.js';
import { testDriver, suffix } from './helpers/emulator.js';

const emulator = await useFirestoreEmulator();
const items = defineRepository('items', {
  id: f.id(),
  rank: f.integer().optional(),
  label: f.string(),
  version: f.version(),
}, { table: `paging_${suffix()}` });
const db = createDatabase({ driver: testDriver(emulator), repositories: { items } });
await db.connect();

type Row = { id: string; rank: number | null };
const cmp = (a: Row, b: Row) => {
  if (a.rank !== b.rank) {
    if (a.rank === null) return -1;
    if (b.rank === null) return 1;
    return a.rank - b.rank;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
};

test('cursor paging over 1,000 documents with ties and inserts between pages returns every document exactly once', async () => {
  // 10 distinct ranks plus nulls: about 90 documents share each sort value.
  const initial = Array.from({ length: 1000 }, (_, i) => ({ rank: i % 11 === 0 ? null : i % 10, label: `d${i}` }));
  const created = (await db.items.createMany(initial)) as Row[];
  const all = new Map<string, Row>(created.map((r) => [r.id, { id: r.id, rank: r.rank }]));
  const mustSee = new Set(all.keys());
  const mustNotSee = new Set<string>();
  const seen: string[] = [];
  let cursor: string | null = null;
  let last: Row | undefined;
  let page = 0;
  do {
    const res: { items: Row[]; nextCursor: string | null } = await db.items.findPage({ orderBy: { rank: 'asc' }, limit: 37, after: cursor }) as never;
    // Every page is exactly the next slice of a plain JavaScript sort of what exists now.
    const expected = [...all.values()].sort(cmp).filter((r) => !last || cmp(r, last) > 0).slice(0, 37).map((r) => r.id);
    assert.equal(res.items.map((r) => r.id), expected, `page ${page}`);
    seen.push(...res.items.map((r) => r.id));
    cursor = res.nextCursor;
    last = res.items.at(-1);
    if (last && page % 2 === 0) {
      // Inserted between pages: tied with the cursor row (ids on both sides), and clearly before and after it.
      const fresh = [
        { id: `${last.id.slice(0, -1)}-${page}`, rank: last.rank, label: 'tie-before' },
        { id: `${last.id}-${page}`, rank: last.rank, label: 'tie-after' },
        { rank: null, label: 'null-before' },
        { rank: 9, label: 'after' },
      ];
      for (const r of (await db.items.createMany(fresh)) as Row[]) {
        const row = { id: r.id, rank: r.rank };
        all.set(r.id, row);
        (cmp(row, last) > 0 ? mustSee : mustNotSee).add(r.id);
      }
    }
    page++;
  } while (cursor);
  assert.is(new Set(seen).size, seen.length, 'no document returned twice');
  for (const id of mustSee) assert.ok(seen.includes(id), `document ${id} was skipped`);
  for (const id of mustNotSee) assert.ok(!seen.includes(id), `document ${id} inserted before the cursor was returned`);
  assert.ok(seen.length > 1000);
});

test.after(async () => {
  await db.items.deleteMany({});
  await db.close();
  await emulator.stop();
});
test.run();
