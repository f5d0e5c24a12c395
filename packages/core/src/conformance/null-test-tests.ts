import * as assert from 'uvu/assert';
import type { DriverCapabilities } from '../driver/capabilities.js';
import { defineRepository } from '../schema/define-repository.js';
import { f } from '../schema/fields.js';
import type { Harness } from './harness.js';
import { idSet, rejectsWith } from './harness.js';
import type { Rec } from './reference.js';

/**
 * A repository whose fields are only tested for null (json, bytes) or by
 * their items (arrays), optional and required.
 *
 * @example
 * ```ts
 * const repo = nullablesRepository(h.table('nulls'));
 * ```
 */
export function nullablesRepository(table: string) {
  return defineRepository('nullables', {
    id: f.id(),
    label: f.string(),
    doc: f.json<unknown>().optional(),
    blob: f.bytes().optional(),
    tags: f.array(f.string()).optional(),
    manifest: f.json<unknown>(),
    digest: f.bytes(),
    touched: f.integer().default(0),
  }, { table });
}

const bytes = (...b: number[]) => new Uint8Array(b);
// Empty and falsy values are not null: {}, [], 0, false, '', an empty byte array, an empty array.
const ROWS: readonly Rec[] = [
  { label: 'a', doc: { title: 't' }, blob: bytes(1, 2), tags: ['x'], manifest: {}, digest: bytes(1) },
  { label: 'b', doc: null, blob: null, tags: null, manifest: [], digest: bytes() },
  { label: 'c', doc: {}, blob: bytes(), tags: [], manifest: 0, digest: bytes(2) },
  { label: 'd', doc: [], blob: null, tags: ['y'], manifest: { a: null }, digest: bytes(3) },
  { label: 'e', doc: false, blob: bytes(0), tags: null, manifest: '', digest: bytes(4) },
  { label: 'f', doc: null, blob: bytes(9), tags: [], manifest: false, digest: bytes(5) },
  { label: 'g', doc: 0, blob: null, tags: null, manifest: 1, digest: bytes(6) },
  { label: 'h', doc: '', blob: bytes(7), tags: ['z'], manifest: 'm', digest: bytes(7) },
];

interface Case {
  readonly name: string;
  readonly where: Rec;
  readonly expect: (r: Rec) => boolean;
  readonly needs?: ReadonlyArray<keyof DriverCapabilities>;
}

const isNull = (k: string) => (r: Rec) => r[k] === null;
const notNull = (k: string) => (r: Rec) => r[k] !== null;

/** Every spelling of the null and not-null tests, on each field that is only tested for null. */
function spellings(k: string): Case[] {
  return [
    { name: `${k}: null`, where: { [k]: null }, expect: isNull(k) },
    { name: `${k}: { eq: null }`, where: { [k]: { eq: null } }, expect: isNull(k) },
    { name: `${k}: { isNull: true }`, where: { [k]: { isNull: true } }, expect: isNull(k) },
    { name: `${k}: { ne: null }`, where: { [k]: { ne: null } }, expect: notNull(k) },
    { name: `${k}: { isNull: false }`, where: { [k]: { isNull: false } }, expect: notNull(k) },
    { name: `not: { ${k}: null }`, where: { not: { [k]: null } }, expect: notNull(k) },
    { name: `not: { ${k}: { eq: null } }`, where: { not: { [k]: { eq: null } } }, expect: notNull(k) },
    { name: `not: { ${k}: { ne: null } }`, where: { not: { [k]: { ne: null } } }, expect: isNull(k) },
  ];
}

/**
 * The null tests, against the plain-JS model.
 *
 * @example
 * ```ts
 * const expected = ROWS.filter(NULL_TEST_CASES[0]!.expect);
 * ```
 */
export const NULL_TEST_CASES: readonly Case[] = [
  ...spellings('doc'),
  ...spellings('blob'),
  ...spellings('tags'),
  { name: 'a null test beside another field', where: { doc: { ne: null }, label: { in: ['a', 'b', 'c'] } }, expect: (r) => r.doc !== null && ['a', 'b', 'c'].includes(r.label as string) },
  { name: 'null tests of two fields', where: { doc: null, blob: { ne: null } }, expect: (r) => r.doc === null && r.blob !== null },
  { name: 'or of null tests', where: { or: [{ doc: null }, { blob: { eq: null } }] }, expect: (r) => r.doc === null || r.blob === null, needs: ['or'] },
  { name: 'eq null on a required json field matches nothing', where: { manifest: null }, expect: () => false },
  { name: 'ne null on a required json field matches every record', where: { manifest: { ne: null } }, expect: () => true },
  { name: 'isNull on a required bytes field matches nothing', where: { digest: { isNull: true } }, expect: () => false },
];

/** Filters that compare a json, bytes or array field by value: refused before anything is sent. */
const REFUSED: readonly Rec[] = [
  { doc: { title: 't' } },
  { doc: { eq: { title: 't' } } },
  { doc: { ne: {} } },
  { doc: { isNull: true, title: 't' } },
  { blob: bytes(1, 2) },
  { blob: { ne: bytes(1, 2) } },
  { blob: { in: [bytes(1, 2)] } },
  { tags: { ne: ['x'] } },
];

/**
 * Null tests on json, bytes and array fields: `null`, `eq: null`,
 * `ne: null`, `isNull` and their negations, in find, findOne, count,
 * exists, updateMany and deleteMany, against a plain-JS model with empty
 * and falsy values that are not null. A comparison with a value is a
 * ValidationError, and nothing is written.
 *
 * @example
 * ```ts
 * registerNullTestTests(harness);
 * ```
 */
export function registerNullTestTests(h: Harness): void {
  const repos = { nullables: nullablesRepository(h.table('nulls')) };
  let seeded: Promise<Rec[]> | undefined;
  h.group('null tests on json, bytes and array fields', repos, (test) => {
    const rows = (db: { nullables: { createMany(rows: never[]): Promise<unknown[]> } }) =>
      (seeded ??= db.nullables.createMany(ROWS as never[]) as Promise<Rec[]>);
    for (const c of NULL_TEST_CASES) {
      if (c.needs?.some((cap) => !h.capabilities[cap])) continue;
      test(`null test: ${c.name}`, async ({ db }) => {
        const all = await rows(db);
        const expected = all.filter(c.expect);
        const where = c.where as never;
        assert.equal(idSet(await db.nullables.find({ where }) as Rec[]), idSet(expected), `find ${c.name}`);
        assert.is(await db.nullables.count(where), expected.length, `count ${c.name}`);
        assert.is(await db.nullables.exists(where), expected.length > 0, `exists ${c.name}`);
        const first = await db.nullables.findOne({ where, orderBy: { label: 'asc' } });
        const label = expected.map((r) => r.label as string).sort()[0] ?? null;
        assert.is(first === null ? null : first.label, label, `findOne ${c.name}`);
      });
    }
    test('a comparison of a json, bytes or array field with a value is a ValidationError', async ({ db }) => {
      const all = await rows(db);
      for (const where of REFUSED) {
        const what = JSON.stringify(where);
        const e = await rejectsWith(() => db.nullables.find({ where: where as never }), 'VALIDATION', `find ${what}`);
        assert.match(e.message, /only null tests apply|does not apply to an? (json|bytes|array) field/, what);
        await rejectsWith(() => db.nullables.updateMany(where as never, { touched: 9 }), 'VALIDATION', `updateMany ${what}`);
        await rejectsWith(() => db.nullables.deleteMany(where as never), 'VALIDATION', `deleteMany ${what}`);
      }
      assert.is(await db.nullables.count({}), all.length, 'nothing deleted');
      assert.is(await db.nullables.count({ touched: 9 }), 0, 'nothing updated');
    });
    test('updateMany and deleteMany by a null test', async ({ db }) => {
      const all = await rows(db);
      const withDoc = all.filter(notNull('doc'));
      assert.is(await db.nullables.updateMany({ doc: { ne: null } }, { touched: 1 }), withDoc.length, 'updateMany doc ne null');
      assert.equal(idSet(await db.nullables.find({ where: { touched: 1 } }) as Rec[]), idSet(withDoc), 'the records updated');
      const noBlob = all.filter(isNull('blob'));
      assert.is(await db.nullables.deleteMany({ blob: { isNull: true } }), noBlob.length, 'deleteMany blob isNull');
      assert.equal(idSet(await db.nullables.find() as Rec[]), idSet(all.filter(notNull('blob'))), 'the records left');
    });
  });
}
