import * as assert from 'uvu/assert';
import type { Harness } from './harness.js';
import { rejectsWith, same } from './harness.js';
import { defineRepository } from '../schema/define-repository.js';
import { f } from '../schema/fields.js';
import type { ValidationError } from '../errors.js';

function labelRepository(table: string) {
  return defineRepository('labels', {
    id: f.id(),
    tag: f.string(),
    name: f.string({ max: 10 }).optional(),
    code: f.string({ min: 2, max: 4 }).optional(),
    note: f.text({ max: 5 }).optional(),
    marks: f.array(f.string({ max: 3 })).optional(),
    version: f.version(),
  }, { table });
}

const EMOJI = '😀';

/**
 * String `min` and `max` count characters as PostgreSQL does (code points,
 * `char_length`), not JavaScript's UTF-16 code units: ten emoji fit
 * `max: 10` and are stored and read back unchanged on every backend, eleven
 * are a ValidationError naming the field; a combining mark or a regional
 * indicator is a character of its own (code points, not graphemes).
 *
 * @example
 * ```ts
 * registerStringLengthTests(harness);
 * ```
 */
export function registerStringLengthTests(h: Harness): void {
  const repos = { labels: labelRepository(h.table('lengths')) };
  h.group('string lengths in characters', repos, (test) => {
    test('ten emoji fit max 10 and read back unchanged; eleven are a ValidationError naming the field', async ({ db }) => {
      const tag = `e-${h.runId}`;
      const ten = EMOJI.repeat(10);
      const r = await db.labels.create({ tag, name: ten, code: EMOJI.repeat(4), note: EMOJI.repeat(5), marks: [EMOJI.repeat(3)] });
      same(await db.labels.get(r.id), r, 'read back');
      assert.is((await db.labels.findOne({ where: { name: ten } }))?.id, r.id, 'found by the stored value');
      const e = await rejectsWith(() => db.labels.create({ tag, name: EMOJI.repeat(11) }), 'VALIDATION', 'create 11');
      assert.equal((e as ValidationError).issues.map((i) => i.path), ['name']);
      assert.match(e.message, /maximum of 10 characters \(11\)/);
      await rejectsWith(() => db.labels.update(r.id, { name: `${ten}a` }), 'VALIDATION', 'update 11');
      await rejectsWith(() => db.labels.updateMany({ tag }, { note: EMOJI.repeat(6) }), 'VALIDATION', 'updateMany text 6');
      await rejectsWith(() => db.labels.upsert({ id: r.id, tag, code: EMOJI.repeat(5) }), 'VALIDATION', 'upsert 5');
      await rejectsWith(() => db.labels.update(r.id, { marks: ['ok', EMOJI.repeat(4)] }), 'VALIDATION', 'array item 4');
      same(await db.labels.get(r.id), r, 'record unchanged');
    });

    test('min counts characters: one emoji is shorter than min 2, two are not', async ({ db }) => {
      const tag = `m-${h.runId}`;
      const e = await rejectsWith(() => db.labels.create({ tag, code: EMOJI }), 'VALIDATION', 'one emoji');
      assert.equal((e as ValidationError).issues.map((i) => i.path), ['code']);
      const r = await db.labels.create({ tag, code: EMOJI.repeat(2) });
      assert.is((await db.labels.get(r.id))?.code, EMOJI.repeat(2));
    });

    test('combining marks and regional indicators are characters of their own', async ({ db }) => {
      const tag = `c-${h.runId}`;
      const decomposed = 'e\u0301'.repeat(5);
      const flags = '🇫🇷'.repeat(5);
      const r = await db.labels.create({ tag, name: decomposed, note: 'e\u0301e\u0301e' });
      const s = await db.labels.create({ tag, name: flags });
      assert.is((await db.labels.get(r.id))?.name, decomposed, 'ten code points, stored as given');
      assert.is((await db.labels.get(s.id))?.name, flags, 'five flags are ten code points');
      await rejectsWith(() => db.labels.create({ tag, name: `${decomposed}\u0301` }), 'VALIDATION', 'eleven code points');
      await rejectsWith(() => db.labels.create({ tag, note: 'e\u0301e\u0301e\u0301' }), 'VALIDATION', 'six code points in a text of max 5');
      assert.is(await db.labels.count({ tag }), 2);
    });

    test('a lone surrogate is refused whatever the length', async ({ db }) => {
      const e = await rejectsWith(() => db.labels.create({ tag: `s-${h.runId}`, name: 'ab\ud800' }), 'VALIDATION', 'lone surrogate');
      assert.match(e.message, /well-formed UTF-16/);
    });
  });
}
