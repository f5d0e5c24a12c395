import * as assert from 'uvu/assert';
import type { Harness } from './harness.js';
import { rejectsWith, same } from './harness.js';
import { allTypesRepository } from './fixtures.js';
import type { Rec } from './reference.js';
import { MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS } from '../schema/timestamp-range.js';

/** Strings that are not well-formed UTF-16: a lone high, a lone low surrogate, and a pair in the wrong order. */
const MALFORMED = ['a\ud800b', 'x\udfff', '\udc00\ud800'] as const;
/** Well-formed strings beyond the BMP and at its top, which must round-trip exactly. */
const ASTRAL = ['😀', 'a\u{10FFFF}', '\uFFFF\uFFFD', '\u{1F600}\uFF61 mixed'] as const;

/** A valid record of the all-types repository, small enough to write many. */
function minimal(extra: Rec = {}): Rec {
  return {
    str: 's', txt: 't', int: 1, big: 1n, num: 1.5, bool: true, at: new Date(0), kind: 'alpha',
    blob: new Uint8Array([1]), doc: { title: 'd' }, tags: ['a'], ints: [1], ...extra,
  };
}

/**
 * Strings and timestamps at the edges, the same on every backend: strings
 * that are not well-formed UTF-16 (a lone surrogate) are refused with
 * ValidationError wherever a caller's string enters (values, array items,
 * JSON, ids, filters) instead of being stored as U+FFFD; well-formed astral
 * strings round-trip; timestamps outside years 1-9999 are refused with
 * ValidationError, the extremes round-trip and order; `-0` reads back as `0`.
 *
 * @example
 * ```ts
 * registerTextAndTimeTests(harness);
 * ```
 */
export function registerTextAndTimeTests(h: Harness): void {
  const repos = { allTypes: allTypesRepository(h.table('edges')) };
  h.group('strings and timestamps', repos, (test) => {
    test('a value with a lone surrogate is refused with ValidationError wherever it appears, and nothing is written', async ({ db }) => {
      const before = await db.allTypes.count();
      for (const bad of MALFORMED) {
        for (const [where, input] of [
          ['string', minimal({ str: bad })],
          ['text', minimal({ txt: bad })],
          ['optional string', minimal({ optStr: bad })],
          ['array item', minimal({ tags: ['ok', bad] })],
          ['JSON string', minimal({ doc: { title: bad } })],
          ['JSON key', minimal({ doc: { [bad]: 1 } })],
          ['id', minimal({ id: bad })],
        ] as const) {
          const e = await rejectsWith(() => db.allTypes.create(input as never), 'VALIDATION', `create with a lone surrogate in a ${where}`);
          assert.match(e.message, 'UTF-16');
        }
        await rejectsWith(() => db.allTypes.createMany([minimal(), minimal({ str: bad })] as never[]), 'VALIDATION', 'createMany');
        await rejectsWith(() => db.allTypes.upsert(minimal({ id: `up-${h.runId}`, str: bad }) as never), 'VALIDATION', 'upsert');
      }
      assert.is(await db.allTypes.count(), before);
    });

    test('an update or a filter with a lone surrogate is refused with ValidationError and changes nothing', async ({ db }) => {
      const r = await db.allTypes.create(minimal({ str: 'a\uFFFDb', tags: ['\uFFFD'] }) as never);
      for (const bad of MALFORMED) {
        await rejectsWith(() => db.allTypes.update(r.id, { str: bad } as never), 'VALIDATION', 'update');
        await rejectsWith(() => db.allTypes.updateMany({ id: r.id }, { tags: [bad] } as never), 'VALIDATION', 'updateMany');
        for (const where of [{ str: bad }, { str: { in: ['x', bad] } }, { str: { gt: bad } }, { str: { startsWith: bad } }, { optStr: { ne: bad } }, { id: bad }]) {
          await rejectsWith(() => db.allTypes.find({ where } as never), 'VALIDATION', `find ${JSON.stringify(Object.keys(where))}`);
          await rejectsWith(() => db.allTypes.deleteMany(where as never), 'VALIDATION', 'deleteMany');
        }
      }
      const now = (await db.allTypes.get(r.id)) as Rec;
      same(now.str, 'a\uFFFDb', 'the stored U+FFFD is unchanged');
      same(now.tags, ['\uFFFD'], 'array unchanged');
      assert.is(now.version, 1);
    });

    test('an id with a lone surrogate is refused by get, getMany, update and delete (not matched to a U+FFFD id)', async ({ db }) => {
      const id = `id-\uFFFD-${h.runId}`;
      await db.allTypes.create(minimal({ id }) as never);
      const bad = `id-\ud800-${h.runId}`;
      await rejectsWith(() => db.allTypes.get(bad), 'VALIDATION', 'get');
      await rejectsWith(() => db.allTypes.getMany([id, bad]), 'VALIDATION', 'getMany');
      await rejectsWith(() => db.allTypes.update(bad, { str: 'changed' }), 'VALIDATION', 'update');
      await rejectsWith(() => db.allTypes.delete(bad), 'VALIDATION', 'delete');
      const kept = (await db.allTypes.get(id)) as Rec;
      assert.is(kept.str, 's');
    });

    test('well-formed strings beyond the BMP round-trip exactly, as values, array items, JSON and ids', async ({ db }) => {
      for (const [i, text] of ASTRAL.entries()) {
        const id = `${text}-${i}-${h.runId}`;
        const made = await db.allTypes.create(minimal({ id, str: text, tags: [text, 'x'], doc: { title: text, [text]: text } }) as never);
        assert.is(made.id, id);
        const read = (await db.allTypes.get(id)) as Rec;
        same(read.str, text, `string ${i}`);
        same(read.tags, [text, 'x'], `array ${i}`);
        same(read.doc, { title: text, [text]: text }, `json ${i}`);
        assert.equal((await db.allTypes.find({ where: { str: text } })).map((r) => r.id), [id], `found by equality ${i}`);
      }
    });

    test('timestamps at the ends of years 1-9999 round-trip, compare and order', async ({ db }) => {
      const min = new Date(MIN_TIMESTAMP_MS);
      const max = new Date(MAX_TIMESTAMP_MS);
      const tag = `range-${h.runId}`;
      const made = await db.allTypes.createMany([
        minimal({ str: tag, at: max, optTimes: [min, max] }),
        minimal({ str: tag, at: min }),
        minimal({ str: tag, at: new Date(Date.UTC(1969, 11, 31, 23, 59, 59, 999)) }),
      ] as never[]);
      const read = (await db.allTypes.get(made[0]!.id)) as Rec;
      same(read.at, max, '9999-12-31T23:59:59.999Z');
      same(read.optTimes, [min, max], 'array of extremes');
      same(((await db.allTypes.get(made[1]!.id)) as Rec).at, min, '0001-01-01T00:00:00.000Z');
      const ordered = await db.allTypes.find({ where: { str: tag }, orderBy: { at: 'asc' } });
      assert.equal(ordered.map((r) => r.id), [made[1]!.id, made[2]!.id, made[0]!.id]);
      assert.is(await db.allTypes.count({ str: tag, at: { lte: min } }), 1);
      assert.is(await db.allTypes.count({ str: tag, at: { gte: max } }), 1);
      assert.is(await db.allTypes.count({ str: tag, at: { gt: min, lt: max } }), 1);
    });

    test('a timestamp outside years 1-9999 is refused with ValidationError as a value, an array item or a filter, and nothing is written', async ({ db }) => {
      const before = await db.allTypes.count();
      const outside = [new Date(MIN_TIMESTAMP_MS - 1), new Date(MAX_TIMESTAMP_MS + 1), new Date(-8_640_000_000_000_000), new Date(8_640_000_000_000_000)];
      const r = await db.allTypes.create(minimal() as never);
      for (const at of outside) {
        const what = at.toISOString();
        const e = await rejectsWith(() => db.allTypes.create(minimal({ at }) as never), 'VALIDATION', `create ${what}`);
        assert.match(e.message, '9999');
        await rejectsWith(() => db.allTypes.create(minimal({ optTimes: [new Date(0), at] }) as never), 'VALIDATION', `array item ${what}`);
        await rejectsWith(() => db.allTypes.update(r.id, { optAt: at }), 'VALIDATION', `update ${what}`);
        await rejectsWith(() => db.allTypes.find({ where: { at: { lt: at } } }), 'VALIDATION', `filter ${what}`);
        await rejectsWith(() => db.allTypes.count({ optAt: { in: [new Date(0), at] } }), 'VALIDATION', `in-list ${what}`);
      }
      assert.is(await db.allTypes.count(), before + 1);
      same(((await db.allTypes.get(r.id)) as Rec).optAt, null, 'record unchanged');
    });

    test('-0 is stored as 0: it reads back as 0 (never -0) and equals 0 in filters', async ({ db }) => {
      const tag = `zero-${h.runId}`;
      const r = await db.allTypes.create(minimal({ str: tag, num: -0, optNum: -0, int: -0, ints: [-0, 1], doc: { n: -0 } }) as never);
      const read = (await db.allTypes.get(r.id)) as Rec;
      for (const [field, value] of [['num', read.num], ['optNum', read.optNum], ['int', read.int], ['ints[0]', (read.ints as number[])[0]], ['doc.n', (read.doc as Rec).n]] as const) {
        assert.ok(Object.is(value, 0), `${field} reads back as 0, got ${Object.is(value, -0) ? '-0' : String(value)}`);
      }
      assert.ok(Object.is((r as Rec).num, 0), 'create() returns 0 too');
      assert.is(await db.allTypes.count({ str: tag, num: 0 }), 1);
      assert.is(await db.allTypes.count({ str: tag, num: -0 }), 1);
      assert.is(await db.allTypes.count({ str: tag, num: { lt: 0 } }), 0);
    });
  });
}
