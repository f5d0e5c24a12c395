import * as assert from 'uvu/assert';
import type { DriverCapabilities } from '../driver/capabilities.js';
import type { Harness } from './harness.js';
import { idSet } from './harness.js';
import { itemsRepository } from './fixtures.js';
import { BASE_MS, P53, filterRows } from './filter-data.js';
import { compareByCodePoint, type Rec } from './reference.js';

type Needs = ReadonlyArray<keyof DriverCapabilities>;
interface FilterCase {
  readonly name: string;
  readonly where: Rec;
  /** The expected match, under three-valued logic: a null field never satisfies a comparison. */
  readonly expect: (r: Rec) => boolean;
  readonly needs?: Needs;
}

const v = (r: Rec, k: string) => r[k] as number;
const bg = (r: Rec, k: string) => r[k] as bigint;
const str = (r: Rec, k: string) => r[k] as string;
/** Code point order, as every backend compares strings (not `<`). */
const cp = (r: Rec, k: string, than: string) => compareByCodePoint(str(r, k), than);
const nn = (r: Rec, k: string) => r[k] !== null && r[k] !== undefined;
const t = (ms: number) => new Date(BASE_MS + ms);
const ms = (r: Rec) => (r.at as Date).getTime() - BASE_MS;

/**
 * Every operator, on every field type, with nulls present.
 *
 * @example
 * ```ts
 * const expected = rows.filter(FILTER_CASES[0]!.expect);
 * ```
 */
export const FILTER_CASES: readonly FilterCase[] = [
  { name: 'eq on an integer', where: { rank: 3 }, expect: (r) => r.rank === 3 },
  { name: 'eq null matches only nulls', where: { rank: null }, expect: (r) => r.rank === null },
  { name: 'isNull: true', where: { score: { isNull: true } }, expect: (r) => r.score === null },
  { name: 'isNull: false', where: { score: { isNull: false } }, expect: (r) => nn(r, 'score') },
  { name: 'ne null matches only non-nulls', where: { rank: { ne: null } }, expect: (r) => nn(r, 'rank') },
  { name: 'ne excludes nulls', where: { rank: { ne: 3 } }, expect: (r) => nn(r, 'rank') && r.rank !== 3, needs: ['ne'] },
  { name: 'gt', where: { rank: { gt: 2 } }, expect: (r) => nn(r, 'rank') && v(r, 'rank') > 2 },
  { name: 'gte', where: { rank: { gte: 2 } }, expect: (r) => nn(r, 'rank') && v(r, 'rank') >= 2 },
  { name: 'lt', where: { rank: { lt: 1 } }, expect: (r) => nn(r, 'rank') && v(r, 'rank') < 1 },
  { name: 'lte', where: { rank: { lte: 0 } }, expect: (r) => nn(r, 'rank') && v(r, 'rank') <= 0 },
  { name: 'a range (gte and lt on one field)', where: { rank: { gte: 1, lt: 3 } }, expect: (r) => nn(r, 'rank') && v(r, 'rank') >= 1 && v(r, 'rank') < 3 },
  { name: 'gt on a number', where: { score: { gt: 0 } }, expect: (r) => nn(r, 'score') && v(r, 'score') > 0 },
  { name: 'lte on a negative fraction', where: { score: { lte: -4.5 } }, expect: (r) => nn(r, 'score') && v(r, 'score') <= -4.5 },
  { name: 'eq on a bigint beyond 2^53', where: { big: P53 + 1n }, expect: (r) => r.big === P53 + 1n },
  { name: 'gt on a bigint beyond 2^53', where: { big: { gt: P53 } }, expect: (r) => nn(r, 'big') && bg(r, 'big') > P53 },
  { name: 'lt on a bigint below 2^53', where: { big: { lt: P53 - 1n } }, expect: (r) => nn(r, 'big') && bg(r, 'big') < P53 - 1n },
  { name: 'eq on a timestamp (ms precision)', where: { at: t(3) }, expect: (r) => nn(r, 'at') && ms(r) === 3 },
  { name: 'gt on a timestamp (ms precision)', where: { at: { gt: t(2) } }, expect: (r) => nn(r, 'at') && ms(r) > 2 },
  { name: 'in on timestamps', where: { at: { in: [t(1), t(3)] } }, expect: (r) => nn(r, 'at') && (ms(r) === 1 || ms(r) === 3) },
  { name: 'in on bigints that doubles cannot tell apart', where: { big: { in: [P53, P53 + 1n] } }, expect: (r) => r.big === P53 || r.big === P53 + 1n },
  { name: 'lte on a timestamp', where: { at: { lte: t(1) } }, expect: (r) => nn(r, 'at') && ms(r) <= 1 },
  { name: 'eq true on a boolean', where: { flag: true }, expect: (r) => r.flag === true },
  { name: 'eq false on a boolean', where: { flag: false }, expect: (r) => r.flag === false },
  { name: 'ne true on a boolean excludes nulls', where: { flag: { ne: true } }, expect: (r) => r.flag === false, needs: ['ne'] },
  { name: 'eq on an enum', where: { kind: 'beta' }, expect: (r) => r.kind === 'beta' },
  { name: 'in on an enum', where: { kind: { in: ['alpha', 'gamma'] } }, expect: (r) => r.kind === 'alpha' || r.kind === 'gamma' },
  { name: 'notIn on an enum excludes nulls', where: { kind: { notIn: ['alpha'] } }, expect: (r) => nn(r, 'kind') && r.kind !== 'alpha', needs: ['notIn'] },
  { name: 'gt on an enum compares the strings', where: { kind: { gt: 'alpha' } }, expect: (r) => nn(r, 'kind') && cp(r, 'kind', 'alpha') > 0 },
  { name: 'eq on a string is case-sensitive', where: { name: 'apple' }, expect: (r) => r.name === 'apple' },
  { name: 'gt on a string (byte order)', where: { name: { gt: 'b' } }, expect: (r) => cp(r, 'name', 'b') > 0 },
  { name: 'lt on a string (uppercase sorts first)', where: { name: { lt: 'a' } }, expect: (r) => cp(r, 'name', 'a') < 0 },
  { name: 'gt U+FF00 includes astral characters (code point order)', where: { name: { gt: '\uFF00' } }, expect: (r) => cp(r, 'name', '\uFF00') > 0 },
  { name: 'lt an astral character includes U+FF61 (code point order)', where: { name: { lt: '\u{1F600}' } }, expect: (r) => cp(r, 'name', '\u{1F600}') < 0 },
  { name: 'a range between two prefixed strings (a+U+FF61 < a+U+1F600)', where: { name: { gt: 'a\uFF61', lte: 'a\u{1F600}' } }, expect: (r) => cp(r, 'name', 'a\uFF61') > 0 && cp(r, 'name', 'a\u{1F600}') <= 0 },
  { name: 'startsWith', where: { name: { startsWith: 'ap' } }, expect: (r) => String(r.name).startsWith('ap'), needs: ['startsWith'] },
  { name: 'startsWith is case-sensitive', where: { name: { startsWith: 'A' } }, expect: (r) => String(r.name).startsWith('A'), needs: ['startsWith'] },
  { name: 'startsWith treats % literally', where: { name: { startsWith: 'a%' } }, expect: (r) => String(r.name).startsWith('a%'), needs: ['startsWith'] },
  { name: 'startsWith treats _ literally', where: { name: { startsWith: 'a_' } }, expect: (r) => String(r.name).startsWith('a_'), needs: ['startsWith'] },
  { name: 'startsWith treats \\ literally', where: { name: { startsWith: 'a\\' } }, expect: (r) => String(r.name).startsWith('a\\'), needs: ['startsWith'] },
  { name: 'startsWith a prefix followed by an astral character', where: { name: { startsWith: 'a' } }, expect: (r) => String(r.name).startsWith('a'), needs: ['startsWith'] },
  { name: 'startsWith an astral prefix', where: { name: { startsWith: '\u{1F600}' } }, expect: (r) => String(r.name).startsWith('\u{1F600}'), needs: ['startsWith'] },
  { name: 'startsWith an empty prefix matches every non-null value', where: { tag: { startsWith: '' } }, expect: (r) => nn(r, 'tag'), needs: ['startsWith'] },
  { name: 'in on integers (with a value nobody has)', where: { rank: { in: [1, 3, 99] } }, expect: (r) => r.rank === 1 || r.rank === 3 },
  { name: 'notIn on integers excludes nulls', where: { rank: { notIn: [1, 3] } }, expect: (r) => nn(r, 'rank') && r.rank !== 1 && r.rank !== 3, needs: ['notIn'] },
  { name: 'in [] matches nothing', where: { rank: { in: [] } }, expect: () => false },
  { name: 'notIn [] matches every non-null value', where: { rank: { notIn: [] } }, expect: (r) => nn(r, 'rank') },
  { name: 'not of in [] matches every non-null value, as notIn [] does', where: { not: { rank: { in: [] } } }, expect: (r) => nn(r, 'rank') },
  { name: 'not of notIn [] matches nothing (nulls are unknown either way)', where: { not: { rank: { notIn: [] } } }, expect: () => false },
  { name: 'notIn [] on the id matches every record', where: { id: { notIn: [] } }, expect: () => true },
  { name: 'not of in [] on the id matches every record', where: { not: { id: { in: [] } } }, expect: () => true },
  { name: 'notIn [] on a required field matches every record', where: { name: { notIn: [] } }, expect: () => true },
  { name: 'notIn [] on a required field is no inequality beside isNull: false', where: { name: { notIn: [] }, score: { isNull: false } }, expect: (r) => nn(r, 'score') },
  { name: 'isNull: false on the id matches every record', where: { id: { isNull: false } }, expect: () => true },
  { name: 'eq null on the id matches nothing', where: { id: null }, expect: () => false },
  { name: 'or of not in [] and isNull matches every record', where: { or: [{ not: { kind: { in: [] } } }, { kind: null }] }, expect: () => true, needs: ['or'] },
  { name: 'several fields are and-ed', where: { rank: { gte: 1 }, flag: true }, expect: (r) => nn(r, 'rank') && v(r, 'rank') >= 1 && r.flag === true },
  { name: 'explicit and', where: { and: [{ rank: { gte: 1 } }, { rank: { lte: 3 } }, { tag: 'odd' }] }, expect: (r) => nn(r, 'rank') && v(r, 'rank') >= 1 && v(r, 'rank') <= 3 && r.tag === 'odd' },
  { name: 'or with a null branch', where: { or: [{ rank: null }, { rank: { gt: 3 } }] }, expect: (r) => r.rank === null || v(r, 'rank') > 3, needs: ['or'] },
  { name: 'or across fields', where: { or: [{ flag: true }, { kind: 'gamma' }] }, expect: (r) => r.flag === true || r.kind === 'gamma', needs: ['or'] },
  { name: 'or inside and', where: { tag: 'even', or: [{ rank: { lt: 1 } }, { at: null }] }, expect: (r) => r.tag === 'even' && ((nn(r, 'rank') && v(r, 'rank') < 1) || r.at === null), needs: ['or'] },
  { name: 'not of a comparison excludes nulls', where: { not: { rank: { gt: 2 } } }, expect: (r) => nn(r, 'rank') && v(r, 'rank') <= 2 },
  { name: 'not of eq excludes nulls', where: { not: { rank: 3 } }, expect: (r) => nn(r, 'rank') && r.rank !== 3, needs: ['ne'] },
  { name: 'not of in excludes nulls', where: { not: { kind: { in: ['alpha'] } } }, expect: (r) => nn(r, 'kind') && r.kind !== 'alpha', needs: ['notIn'] },
  { name: 'not of startsWith excludes nulls', where: { not: { tag: { startsWith: 'ev' } } }, expect: (r) => nn(r, 'tag') && !String(r.tag).startsWith('ev'), needs: ['notStartsWith'] },
  { name: 'not of isNull', where: { not: { rank: null } }, expect: (r) => nn(r, 'rank') },
  { name: 'not of or (3VL)', where: { not: { or: [{ rank: { lt: 1 } }, { rank: { gt: 3 } }] } }, expect: (r) => nn(r, 'rank') && v(r, 'rank') >= 1 && v(r, 'rank') <= 3 },
  {
    name: 'not of and (3VL: unknown is not true)',
    where: { not: { rank: { gte: 1 }, score: { gt: 0 } } },
    expect: (r) => (nn(r, 'rank') && v(r, 'rank') < 1) || (nn(r, 'score') && v(r, 'score') <= 0),
    needs: ['or'],
  },
  { name: 'double not', where: { not: { not: { rank: 3 } } }, expect: (r) => r.rank === 3 },
  { name: 'an empty filter matches everything', where: {}, expect: () => true },
];

/**
 * Filter operators against a JavaScript reference, with nulls present.
 *
 * @example
 * ```ts
 * registerFilterTests(harness);
 * ```
 */
export function registerFilterTests(h: Harness): void {
  const repos = { items: itemsRepository(h.table('filters')) };
  let seeded: Promise<Rec[]> | undefined;
  h.group('filters', repos, (test) => {
    const rows = (db: { items: { createMany(rows: never[]): Promise<unknown[]> } }) =>
      (seeded ??= db.items.createMany(filterRows() as never[]) as Promise<Rec[]>);
    for (const c of FILTER_CASES) {
      if (c.needs?.some((cap) => !h.capabilities[cap])) continue;
      test(`filter: ${c.name}`, async ({ db }) => {
        const all = await rows(db);
        const expected = all.filter(c.expect);
        const found = await db.items.find({ where: c.where as never });
        assert.equal(idSet(found as Rec[]), idSet(expected), `find ${c.name}`);
        assert.is(await db.items.count(c.where as never), expected.length, `count ${c.name}`);
        assert.is(await db.items.exists(c.where as never), expected.length > 0, `exists ${c.name}`);
      });
    }
    test('the filter data set has nulls, ties and values only exact comparisons separate', async ({ db }) => {
      const all = await rows(db);
      assert.ok(all.some((r) => r.rank === null) && all.some((r) => r.at === null) && all.some((r) => r.big === null));
      assert.ok(all.filter((r) => r.rank === 3).length > 1);
      assert.ok(all.some((r) => r.big === P53) && all.some((r) => r.big === P53 + 1n));
    });
  });
}
