import * as assert from 'uvu/assert';
import type { DriverCapabilities } from '../driver/capabilities.js';
import type { Plugin } from '../plugin/plugin.js';
import type { Harness } from './harness.js';
import { idSet, ids, rejectsWith } from './harness.js';
import { wordRows, wordsRepository } from './fixtures-text.js';
import { compareRecords, withIdTieBreaker, type Rec, type SortSpec } from './reference.js';

type Needs = ReadonlyArray<keyof DriverCapabilities>;
interface Case {
  readonly name: string;
  readonly where: Rec;
  readonly expect: (r: Rec) => boolean;
  readonly needs: Needs;
}

// The model: plain JavaScript, independent of every driver. Case-insensitive
// means equal after toLowerCase() (Unicode default lowercase mapping).
const s = (r: Rec, k: string) => r[k] as string | null;
const low = (x: string) => x.toLowerCase();
const arr = (r: Rec, k: string) => r[k] as unknown[] | null;
const holds = (r: Rec, k: string, x: unknown) => (arr(r, k) ?? []).includes(x);
const text = (k: string, test: (v: string) => boolean) => (r: Rec) => s(r, k) !== null && test(s(r, k)!);
const notText = (k: string, test: (v: string) => boolean) => (r: Rec) => s(r, k) !== null && !test(s(r, k)!);

const SUB: Needs = ['substring'];
const INS: Needs = ['insensitive'];
const ARR: Needs = ['arrayContains'];

/**
 * Substring, case-insensitive and array filters, each against the model,
 * with nulls, LIKE metacharacters and Unicode case pairs in the data.
 *
 * @example
 * ```ts
 * const expected = rows.filter(TEXT_CASES[0]!.expect);
 * ```
 */
export const TEXT_CASES: readonly Case[] = [
  { name: 'contains (case-sensitive)', where: { word: { contains: 'pple' } }, expect: text('word', (v) => v.includes('pple')), needs: SUB },
  { name: 'contains treats % literally', where: { word: { contains: '%' } }, expect: text('word', (v) => v.includes('%')), needs: SUB },
  { name: 'contains treats _ literally', where: { word: { contains: 'a_' } }, expect: text('word', (v) => v.includes('a_')), needs: SUB },
  { name: 'contains treats \\ literally', where: { word: { contains: '\\' } }, expect: text('word', (v) => v.includes('\\')), needs: SUB },
  { name: 'contains 0% (a wildcard would match 5000)', where: { word: { contains: '0%' } }, expect: text('word', (v) => v.includes('0%')), needs: SUB },
  { name: 'contains an empty string matches every non-null value', where: { note: { contains: '' } }, expect: text('note', () => true), needs: SUB },
  { name: 'endsWith (case-sensitive)', where: { word: { endsWith: 'E' } }, expect: text('word', (v) => v.endsWith('E')), needs: SUB },
  { name: 'endsWith a wildcard character', where: { word: { endsWith: '%' } }, expect: text('word', (v) => v.endsWith('%')), needs: SUB },
  { name: 'endsWith on an optional field never matches null', where: { note: { endsWith: 'e' } }, expect: text('note', (v) => v.endsWith('e')), needs: SUB },
  { name: 'not contains excludes nulls', where: { not: { note: { contains: 'a' } } }, expect: notText('note', (v) => v.includes('a')), needs: SUB },
  { name: 'not endsWith excludes nulls', where: { not: { note: { endsWith: 'E' } } }, expect: notText('note', (v) => v.endsWith('E')), needs: SUB },
  { name: 'insensitive eq (ASCII)', where: { word: { eq: 'APPLE', mode: 'insensitive' } }, expect: text('word', (v) => low(v) === 'apple'), needs: INS },
  { name: "insensitive eq folds Ä: 'ärger' matches Ärger and ÄRGER", where: { word: { eq: 'ärger', mode: 'insensitive' } }, expect: text('word', (v) => low(v) === 'ärger'), needs: INS },
  { name: "insensitive eq: 'straße' matches STRAẞE but not STRASSE", where: { word: { eq: 'straße', mode: 'insensitive' } }, expect: text('word', (v) => low(v) === 'straße'), needs: INS },
  { name: "insensitive eq: 'STRASSE' does not match straße", where: { word: { eq: 'STRASSE', mode: 'insensitive' } }, expect: text('word', (v) => low(v) === 'strasse'), needs: INS },
  { name: "insensitive eq: 'istanbul' matches ISTANBUL, not İstanbul or ıstanbul", where: { word: { eq: 'istanbul', mode: 'insensitive' } }, expect: text('word', (v) => low(v) === 'istanbul'), needs: INS },
  { name: "insensitive eq: 'İSTANBUL' matches only İstanbul", where: { word: { eq: 'İSTANBUL', mode: 'insensitive' } }, expect: text('word', (v) => low(v) === low('İSTANBUL')), needs: INS },
  { name: "insensitive eq: dotless 'ı' matches only itself", where: { word: { eq: 'ıSTANBUL', mode: 'insensitive' } }, expect: text('word', (v) => low(v) === 'ıstanbul'), needs: INS },
  { name: 'insensitive startsWith', where: { word: { startsWith: 'APP', mode: 'insensitive' } }, expect: text('word', (v) => low(v).startsWith('app')), needs: INS },
  { name: 'insensitive contains', where: { word: { contains: 'Pie', mode: 'insensitive' } }, expect: text('word', (v) => low(v).includes('pie')), needs: INS },
  { name: 'insensitive contains treats _ literally', where: { word: { contains: 'A_C', mode: 'insensitive' } }, expect: text('word', (v) => low(v).includes('a_c')), needs: INS },
  { name: 'insensitive contains treats % and \\ literally', where: { or: [{ word: { contains: 'A%', mode: 'insensitive' } }, { word: { contains: 'a\\D', mode: 'insensitive' } }] }, expect: text('word', (v) => low(v).includes('a%') || low(v).includes('a\\d')), needs: [...INS, 'or'] },
  { name: 'insensitive endsWith', where: { word: { endsWith: 'GER', mode: 'insensitive' } }, expect: text('word', (v) => low(v).endsWith('ger')), needs: INS },
  { name: 'insensitive and a case-sensitive range on one field', where: { word: { contains: 'a', mode: 'insensitive' }, and: [{ word: { gte: 'a' } }] }, expect: (r) => low(r.word as string).includes('a') && Buffer.compare(Buffer.from(r.word as string), Buffer.from('a')) >= 0, needs: INS },
  { name: 'not insensitive eq excludes nulls', where: { not: { note: { eq: 'apple', mode: 'insensitive' } } }, expect: notText('note', (v) => low(v) === 'apple'), needs: INS },
  { name: "mode: 'default' is case-sensitive", where: { word: { eq: 'apple', mode: 'default' } }, expect: (r) => r.word === 'apple', needs: [] },
  { name: 'has', where: { tags: { has: 'red' } }, expect: (r) => holds(r, 'tags', 'red'), needs: ARR },
  { name: 'has is case-sensitive', where: { tags: { has: 'Red' } }, expect: (r) => holds(r, 'tags', 'Red'), needs: ARR },
  { name: 'has on an integer array', where: { nums: { has: 3 } }, expect: (r) => holds(r, 'nums', 3), needs: ARR },
  { name: 'hasSome', where: { tags: { hasSome: ['green', 'Red'] } }, expect: (r) => holds(r, 'tags', 'green') || holds(r, 'tags', 'Red'), needs: ARR },
  { name: 'hasSome [] matches nothing', where: { tags: { hasSome: [] } }, expect: () => false, needs: [] },
  { name: 'hasEvery of one value is has', where: { nums: { hasEvery: [2] } }, expect: (r) => holds(r, 'nums', 2), needs: ARR },
  { name: 'hasEvery', where: { tags: { hasEvery: ['red', 'blue'] } }, expect: (r) => holds(r, 'tags', 'red') && holds(r, 'tags', 'blue'), needs: [...ARR, 'arrayContainsAll'] },
  { name: 'hasEvery [] matches every non-null array, empty ones too', where: { tags: { hasEvery: [] } }, expect: (r) => arr(r, 'tags') !== null, needs: [] },
  { name: 'not of hasSome [] matches every non-null array', where: { not: { tags: { hasSome: [] } } }, expect: (r) => arr(r, 'tags') !== null, needs: [] },
  { name: 'not of hasEvery [] matches nothing, null arrays included', where: { not: { tags: { hasEvery: [] } } }, expect: () => false, needs: [] },
  { name: 'not has excludes null arrays', where: { not: { tags: { has: 'red' } } }, expect: (r) => arr(r, 'tags') !== null && !holds(r, 'tags', 'red'), needs: [...ARR, 'notArrayContains'] },
  { name: 'has and-ed with another field', where: { tags: { has: 'blue' }, rank: 0 }, expect: (r) => holds(r, 'tags', 'blue') && r.rank === 0, needs: ARR },
];

/** Queries a capability is needed for, to check that core refuses each one when it is missing. */
const REFUSED: ReadonlyArray<{ cap: keyof DriverCapabilities; what: string; where: Rec }> = [
  { cap: 'substring', what: 'contains', where: { word: { contains: 'a' } } },
  { cap: 'substring', what: 'endsWith', where: { word: { endsWith: 'a' } } },
  { cap: 'insensitive', what: "mode: 'insensitive'", where: { word: { eq: 'a', mode: 'insensitive' } } },
  { cap: 'arrayContains', what: 'has', where: { tags: { has: 'red' } } },
  { cap: 'arrayContainsAll', what: 'hasEvery of two values', where: { tags: { hasEvery: ['red', 'blue'] } } },
  { cap: 'notArrayContains', what: 'a negated has', where: { not: { tags: { has: 'red' } } } },
];

/**
 * Richer filters against a plain-JS model: `contains` / `endsWith` (LIKE
 * metacharacters literal), `mode: 'insensitive'` (Unicode lowercase: 'ß',
 * 'ẞ', Turkish 'İ' and 'ı'), array `has` / `hasSome` / `hasEvery`, and
 * `distinct` on find; nulls never match, negated or not. What a driver
 * declares it cannot do is refused with UnsupportedQueryError, and a spy
 * plugin shows that nothing reached the plugins or the driver.
 *
 * @example
 * ```ts
 * registerTextFilterTests(harness);
 * ```
 */
export function registerTextFilterTests(h: Harness): void {
  const repos = { words: wordsRepository(h.table('text')) };
  const seen: string[] = [];
  const spy: Plugin = { name: 'spy', beforeRead({ op }) { seen.push(op.kind); }, beforeUpdate({ op }) { seen.push(op.kind); }, beforeDelete({ op }) { seen.push(op.kind); } };
  let seeded: Promise<Rec[]> | undefined;
  h.group('text, array and distinct filters', repos, (test) => {
    const rows = (db: { words: { createMany(rows: never[]): Promise<unknown[]> } }) =>
      (seeded ??= db.words.createMany(wordRows() as never[]) as Promise<Rec[]>);
    for (const c of TEXT_CASES) {
      if (c.needs.some((cap) => !h.capabilities[cap])) continue;
      test(`filter: ${c.name}`, async ({ db }) => {
        const all = await rows(db);
        const expected = all.filter(c.expect);
        const found = await db.words.find({ where: c.where as never });
        assert.equal(idSet(found as Rec[]), idSet(expected), `find ${c.name}`);
        assert.is(await db.words.count(c.where as never), expected.length, `count ${c.name}`);
      });
    }
    test('the data set has matches and misses for every case-folding question', async ({ db }) => {
      const all = await rows(db);
      const words = all.map((r) => r.word as string);
      for (const w of ['straße', 'STRASSE', 'STRAẞE', 'İstanbul', 'ıstanbul', 'ISTANBUL', 'a%b', 'a_c', 'aXc', 'a\\d']) assert.ok(words.includes(w), w);
      assert.ok(all.some((r) => r.note === null) && all.some((r) => r.tags === null) && all.some((r) => (r.tags as unknown[] | null)?.length === 0));
    });
    for (const r of REFUSED) {
      if (h.capabilities[r.cap]) continue;
      test(`${r.what} is refused with UnsupportedQueryError (${r.cap}: false); nothing reaches the plugins or the driver`, async ({ db }) => {
        const all = await rows(db);
        seen.length = 0;
        await rejectsWith(() => db.words.find({ where: r.where as never }), 'UNSUPPORTED_QUERY', `find with ${r.what}`);
        await rejectsWith(() => db.words.count(r.where as never), 'UNSUPPORTED_QUERY', `count with ${r.what}`);
        await rejectsWith(() => db.words.updateMany(r.where as never, { note: 'changed' }), 'UNSUPPORTED_QUERY', `updateMany with ${r.what}`);
        await rejectsWith(() => db.words.deleteMany(r.where as never), 'UNSUPPORTED_QUERY', `deleteMany with ${r.what}`);
        assert.equal(seen, [], 'operations that reached the plugins');
        assert.is(await db.words.count({ note: 'changed' }), 0);
        assert.is(await db.words.count(), all.length);
      });
    }
    const distinctCases: ReadonlyArray<{ name: string; keys: string[]; order: SortSpec; limit?: number; offset?: number }> = [
      { name: 'distinct on an optional integer keeps the first of each value (null is one value)', keys: ['rank'], order: [['word', 'asc']] },
      { name: 'distinct with a descending order, limit and offset', keys: ['rank'], order: [['word', 'desc']], limit: 2, offset: 1 },
      { name: 'distinct on two fields', keys: ['rank', 'note'], order: [['createdAt', 'asc'], ['word', 'desc']] },
      { name: 'distinct on an array field (equal arrays: same items, same order)', keys: ['tags'], order: [['word', 'asc']] },
    ];
    for (const d of distinctCases) {
      if (!h.capabilities.distinct) continue;
      test(d.name, async ({ db }) => {
        const all = await rows(db);
        const full = withIdTieBreaker(d.order);
        const sorted = [...all].sort((a, b) => compareRecords(full, a, b));
        const seenKeys = new Set<string>();
        const firsts = sorted.filter((r) => {
          const key = JSON.stringify(d.keys.map((k) => r[k] ?? null));
          if (seenKeys.has(key)) return false;
          seenKeys.add(key);
          return true;
        });
        const start = d.offset ?? 0;
        const expected = firsts.slice(start, d.limit === undefined ? undefined : start + d.limit);
        const orderBy = d.order.map(([f, dir]) => ({ [f]: dir }));
        const found = await db.words.find({ distinct: d.keys as never, orderBy: orderBy as never, limit: d.limit, offset: d.offset });
        assert.equal(ids(found as Rec[]), ids(expected), d.name);
      });
    }
    if (h.capabilities.distinct) {
      test('distinct with findPage, or on an unknown field, is refused with ValidationError', async ({ db }) => {
        await rejectsWith(() => db.words.findPage({ distinct: ['rank'] } as never), 'VALIDATION', 'findPage with distinct');
        await rejectsWith(() => db.words.find({ distinct: ['nope' as never] }), 'VALIDATION', 'distinct on an unknown field');
      });
    } else {
      test('distinct is refused with UnsupportedQueryError (distinct: false); nothing reaches the plugins', async ({ db }) => {
        seen.length = 0;
        await rejectsWith(() => db.words.find({ distinct: ['rank'] }), 'UNSUPPORTED_QUERY', 'find with distinct');
        assert.equal(seen, []);
      });
    }
    test('bad text and array filters are refused with ValidationError, nothing changes', async ({ db }) => {
      const all = await rows(db);
      await rejectsWith(() => db.words.find({ where: { word: { contains: 3 as never } } }), 'VALIDATION', 'contains a number');
      await rejectsWith(() => db.words.find({ where: { word: { eq: 'a', mode: 'loud' as never } } }), 'VALIDATION', 'an unknown mode');
      await rejectsWith(() => db.words.find({ where: { word: { gt: 'a', mode: 'insensitive' } as never } }), 'VALIDATION', 'insensitive gt');
      await rejectsWith(() => db.words.find({ where: { rank: { contains: '1' } as never } }), 'VALIDATION', 'contains on an integer');
      await rejectsWith(() => db.words.find({ where: { tags: { has: 3 as never } } }), 'VALIDATION', 'has with a number on a string array');
      await rejectsWith(() => db.words.find({ where: { tags: { hasSome: 'red' as never } } }), 'VALIDATION', 'hasSome without a list');
      await rejectsWith(() => db.words.updateMany({ word: { contains: '\ud800' } }, { note: 'changed' }), 'VALIDATION', 'a lone surrogate');
      assert.is(await db.words.count({ note: 'changed' }), 0);
      assert.is(await db.words.count(), all.length);
    });
  }, [spy]);
}
