import * as assert from 'uvu/assert';
import type { Harness } from './harness.js';
import { same } from './harness.js';
import { allTypesRepository } from './fixtures.js';
import type { Rec } from './reference.js';

const LONG_TEXT = 'Lorem ipsum dolor sit amet. '.repeat(4000);
const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

/** A record with every required field set to an edge-case value. */
function fullInput(): Rec {
  return {
    str: `quote ' double " back \\ percent % under _ newline \n tab \t unicode é ü 你好 😀`,
    txt: LONG_TEXT,
    int: -2147483648,
    big: 2n ** 53n + 1n,
    num: 0.1 + 0.2,
    bool: false,
    at: new Date(Date.UTC(2024, 1, 29, 23, 59, 58, 789)),
    kind: 'gamma',
    blob: ALL_BYTES,
    doc: { title: 'ünïcode 😀', nested: { list: [1, 'two', true, null] }, empty: {}, arr: [] },
    tags: ['a', '', 'c d', 'é'],
    ints: [3, -1, 0, 2147483647],
  };
}

/** Change every mutable value of a record in place (what a careless caller might do). */
function mutate(r: Rec): void {
  (r.tags as string[]).push('mutated');
  (r.at as Date).setTime(0);
  (r.blob as Uint8Array)[0] = 99;
  ((r.doc as Rec).nested as Rec).list = [];
  (r.doc as Rec).title = 'mutated';
}

/**
 * Field round trips: every type, edge values, optional nulls, patches.
 *
 * @example
 * ```ts
 * registerFieldTypeTests(harness);
 * ```
 */
export function registerFieldTypeTests(h: Harness): void {
  const repos = { allTypes: allTypesRepository(h.table('types')) };
  h.group('field types', repos, (test) => {
    test('every field type round-trips through create and get', async ({ db }) => {
      const input = fullInput();
      const created = await db.allTypes.create(input as never);
      const read = await db.allTypes.get(created.id);
      assert.ok(read, 'created record is readable');
      for (const [key, value] of Object.entries(input)) {
        same((created as Rec)[key], value, `create() returns ${key}`);
        same((read as Rec)[key], value, `get() returns ${key}`);
      }
      assert.is(typeof (read as Rec).big, 'bigint');
      assert.instance((read as Rec).at, Date);
      assert.instance((read as Rec).blob, Uint8Array);
    });

    test('bigint keeps values beyond 2^53 and the int64 extremes', async ({ db }) => {
      for (const big of [2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n, 0n, -1n]) {
        const r = await db.allTypes.create({ ...fullInput(), big } as never);
        same((await db.allTypes.get(r.id))!.big, big, `bigint ${big}`);
        same((await db.allTypes.findOne({ where: { id: r.id, big } }))?.id, r.id, `bigint ${big} is found by equality`);
      }
    });

    test('numbers keep doubles exactly (fractions, negatives, large exponents)', async ({ db }) => {
      for (const num of [0.1 + 0.2, -123.456e100, 1e-300, 0, -0.5, Number.MAX_SAFE_INTEGER]) {
        const r = await db.allTypes.create({ ...fullInput(), num } as never);
        same((await db.allTypes.get(r.id))!.num, num, `number ${num}`);
      }
    });

    test('timestamps keep millisecond precision, before and after 1970', async ({ db }) => {
      for (const at of [new Date(-1234567890123), new Date(1), new Date(Date.UTC(2099, 11, 31, 23, 59, 59, 999))]) {
        const r = await db.allTypes.create({ ...fullInput(), at } as never);
        same((await db.allTypes.get(r.id))!.at, at, `timestamp ${at.toISOString()}`);
      }
    });

    test('bytes, empty arrays, empty strings and an empty JSON object round-trip', async ({ db }) => {
      const r = await db.allTypes.create({ ...fullInput(), str: '', blob: new Uint8Array(0), tags: [], ints: [], doc: {} } as never);
      const read = (await db.allTypes.get(r.id)) as Rec;
      same(read.str, '', 'empty string');
      same(read.blob, new Uint8Array(0), 'empty bytes');
      same(read.tags, [], 'empty string array');
      same(read.ints, [], 'empty integer array');
      same(read.doc, {}, 'empty JSON object');
    });

    test('a Buffer is accepted for bytes and comes back with the same content', async ({ db }) => {
      const r = await db.allTypes.create({ ...fullInput(), blob: Buffer.from([0, 1, 254, 255]) } as never);
      same((await db.allTypes.get(r.id))!.blob, new Uint8Array([0, 1, 254, 255]), 'bytes from a Buffer');
    });

    test('absent optional fields read back as null (not undefined) and match isNull', async ({ db }) => {
      const r = await db.allTypes.create(fullInput() as never);
      const read = (await db.allTypes.get(r.id)) as Rec;
      for (const key of Object.keys(read).filter((k) => k.startsWith('opt'))) {
        assert.is(read[key], null, `${key} is null`);
        assert.is((r as Rec)[key], null, `create() returns ${key} as null`);
      }
      const found = await db.allTypes.find({ where: { id: r.id, optStr: { isNull: true }, optBig: { isNull: true }, optAt: null } });
      assert.equal(found.map((x) => x.id), [r.id]);
    });

    test('optional fields of every type store values and can be set back to null', async ({ db }) => {
      const values: Rec = {
        optStr: 'x', optTxt: 'long', optInt: 7, optBig: -(2n ** 60n), optNum: 2.5, optBool: true,
        optAt: new Date(Date.UTC(2020, 0, 1, 0, 0, 0, 1)), optKind: 'beta', optBlob: new Uint8Array([9, 8]),
        optDoc: { title: 't' }, optTags: ['x', 'y'], optTimes: [new Date(5), new Date(Date.UTC(2030, 5, 6, 7, 8, 9, 10))],
      };
      const r = await db.allTypes.create({ ...fullInput(), ...values } as never);
      const read = (await db.allTypes.get(r.id)) as Rec;
      for (const [key, value] of Object.entries(values)) same(read[key], value, `${key} stored`);
      const nulls = Object.fromEntries(Object.keys(values).map((k) => [k, null]));
      const updated = (await db.allTypes.update(r.id, nulls as never)) as Rec;
      const reread = (await db.allTypes.get(r.id)) as Rec;
      for (const key of Object.keys(values)) {
        assert.is(updated[key], null, `update() returns ${key} as null`);
        assert.is(reread[key], null, `${key} reads back as null`);
      }
    });

    test('update writes every field type and returns what get() returns', async ({ db }) => {
      const r = await db.allTypes.create(fullInput() as never);
      const patch: Rec = {
        str: 'changed', txt: 'short', int: 42, big: -(2n ** 62n), num: -1.25, bool: true,
        at: new Date(Date.UTC(2001, 8, 9, 1, 46, 40, 123)), kind: 'alpha', blob: new Uint8Array([1, 2, 3]),
        doc: { title: 'new', nested: { list: ['a'] } }, tags: ['z'], ints: [-5],
      };
      const updated = (await db.allTypes.update(r.id, patch as never)) as Rec;
      const read = (await db.allTypes.get(r.id)) as Rec;
      for (const [key, value] of Object.entries(patch)) {
        same(updated[key], value, `update() returns ${key}`);
        same(read[key], value, `get() after update returns ${key}`);
      }
    });

    test('records returned by every read and write are copies: changing them changes nothing stored', async ({ db }) => {
      const made = (await db.allTypes.create(fullInput() as never)) as Rec;
      const id = made.id as string;
      const reads: Array<[string, () => Promise<unknown>]> = [
        ['get', () => db.allTypes.get(id)],
        ['getMany', async () => (await db.allTypes.getMany([id]))[0]],
        ['find', async () => (await db.allTypes.find({ where: { id } }))[0]],
        ['findOne', () => db.allTypes.findOne({ where: { id } })],
        ['findPage', async () => (await db.allTypes.findPage({ where: { id } })).items[0]],
        ['find with select', async () => (await db.allTypes.find({ where: { id }, select: ['tags', 'doc', 'at', 'blob'] }))[0]],
        ['iterate', async () => { for await (const r of db.allTypes.iterate({ where: { id } })) return r; return undefined; }],
        ['update', () => db.allTypes.update(id, { bool: true })],
        ['upsert', () => db.allTypes.upsert({ ...fullInput(), id, bool: true } as never)],
      ];
      const input = fullInput();
      for (const [what, read] of reads) {
        mutate((await read()) as Rec);
        // Compared with the input, not with an earlier read: that could be the very object that was changed.
        const after = (await db.allTypes.get(id)) as Rec;
        for (const key of ['tags', 'doc', 'at', 'blob']) same(after[key], input[key], `${key} unchanged after changing the record ${what}() returned`);
      }
    });

    if (h.capabilities.transactions) {
      test('inside a transaction, changing a returned record changes neither what later reads see nor what commits', async ({ db }) => {
        const input = fullInput();
        const id = await db.transaction(async (tx) => {
          const r = (await tx.allTypes.create(input as never)) as Rec;
          mutate(r);
          mutate((await tx.allTypes.get(r.id as string)) as Rec);
          const seen = (await tx.allTypes.get(r.id as string)) as Rec;
          for (const key of ['tags', 'doc', 'at', 'blob']) same(seen[key], input[key], `${key} as the transaction reads it`);
          mutate((await tx.allTypes.update(r.id as string, { bool: true })) as Rec);
          mutate((await tx.allTypes.find({ where: { id: r.id as string } }))[0] as Rec);
          return r.id as string;
        });
        const stored = (await db.allTypes.get(id)) as Rec;
        for (const key of ['tags', 'doc', 'at', 'blob']) same(stored[key], input[key], `${key} as committed`);
      });
    }

    test('changing a returned record does not change the stored one', async ({ db }) => {
      const r = (await db.allTypes.create(fullInput() as never)) as Rec;
      (r.tags as string[]).push('mutated');
      (r.at as Date).setTime(0);
      (r.blob as Uint8Array)[0] = 99;
      ((r.doc as Rec).nested as Rec).list = [];
      const read = (await db.allTypes.get(r.id as string)) as Rec;
      const input = fullInput();
      same(read.tags, input.tags, 'tags unchanged');
      same(read.at, input.at, 'timestamp unchanged');
      same(read.blob, input.blob, 'bytes unchanged');
      same(read.doc, input.doc, 'json unchanged');
    });
  });
}
