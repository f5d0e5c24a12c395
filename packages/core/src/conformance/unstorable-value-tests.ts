import * as assert from 'uvu/assert';
import type { Harness } from './harness.js';
import { rejectsWith, same } from './harness.js';
import { defineRepository } from '../schema/define-repository.js';
import { f } from '../schema/fields.js';
import { ValidationError } from '../errors.js';

function docsRepository(table: string) {
  return defineRepository('docs', {
    id: f.id(),
    tag: f.string(),
    doc: f.json<Record<string, unknown>>().optional(),
    // Declared past ±(2^53 - 1), so that the safe integer range, not the declared bounds, stops the increments below.
    wide: f.integer({ min: -(2 ** 60), max: 2 ** 60 }).optional(),
    version: f.version(),
  }, { table });
}

function namesField(e: ValidationError, field: string): boolean {
  return e.issues.some((i) => i.path === field || i.path.endsWith(`.${field}`) || i.path.startsWith(`${field}.`));
}

const SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Values one backend could not store are refused on all of them, before
 * anything is written: a NUL character anywhere in a JSON value (jsonb
 * cannot hold U+0000), and an increment that takes an integer declared
 * wider than 32 bits past ±(2^53 - 1), where a JS number is no longer exact
 * (SQL would store it in int8 and read it back rounded).
 *
 * @example
 * ```ts
 * registerUnstorableValueTests(harness);
 * ```
 */
export function registerUnstorableValueTests(h: Harness): void {
  const repos = { docs: docsRepository(h.table('unstorable')) };
  h.group('values no backend can store', repos, (test) => {
    test('a NUL character in a JSON string or key is a ValidationError naming the field, nothing written', async ({ db }) => {
      const tag = `nul-${h.runId}`;
      const bad = [{ s: 'a\u0000b' }, { deep: { list: [1, { s: '\u0000' }] } }, { ['k\u0000']: 1 }, { deep: [{ ['\u0000']: null }] }];
      for (const [i, doc] of bad.entries()) {
        const e = await rejectsWith(() => db.docs.create({ tag, doc }), 'VALIDATION', `create ${i}`);
        assert.ok(namesField(e as ValidationError, 'doc'), `create ${i}: the issue names the field doc (${e.message})`);
      }
      const many = await rejectsWith(() => db.docs.createMany([{ id: `ok-${h.runId}`, tag, doc: { s: 'fine' } }, { tag, doc: bad[1]! }]), 'VALIDATION', 'createMany');
      assert.ok(/doc/.test(many.message), `createMany names the field doc (${many.message})`);
      assert.is(await db.docs.count({ tag }), 0, 'createMany wrote nothing');

      const r = await db.docs.create({ tag, doc: { s: 'ok' } });
      for (const [i, doc] of bad.entries()) {
        await rejectsWith(() => db.docs.update(r.id, { doc }), 'VALIDATION', `update ${i}`);
        await rejectsWith(() => db.docs.updateMany({ tag }, { doc }), 'VALIDATION', `updateMany ${i}`);
        await rejectsWith(() => db.docs.upsert({ id: r.id, tag, doc }), 'VALIDATION', `upsert of an existing record ${i}`);
        await rejectsWith(() => db.docs.upsert({ id: `new-${i}-${h.runId}`, tag, doc }), 'VALIDATION', `upsert of a new record ${i}`);
      }
      same(await db.docs.get(r.id), r, 'record unchanged');
      assert.is(await db.docs.count({ tag }), 1, 'no record added');
    });

    test('NUL-free JSON with other control characters is stored unchanged', async ({ db }) => {
      const doc = { s: 'a\u0001b\u001f', ['k\u0007']: ['\t\n'] };
      const r = await db.docs.create({ tag: `ctl-${h.runId}`, doc });
      same((await db.docs.get(r.id))?.doc, doc, 'read back');
    });

    test('an increment of a wide integer past 2^53 - 1 is a ValidationError and changes nothing', async ({ db }) => {
      const tag = `wide-${h.runId}`;
      const r = await db.docs.create({ tag, wide: 9_000_000_000 });
      const top = await db.docs.update(r.id, { wide: { increment: SAFE - 9_000_000_000 } });
      assert.is(top.wide, SAFE, 'up to 2^53 - 1 is allowed');
      const e = await rejectsWith(() => db.docs.update(r.id, { wide: { increment: 1 } }), 'VALIDATION', 'one past the top');
      assert.ok((e as ValidationError).issues.some((i) => i.path.startsWith('wide')), `the issue names the field wide (${e.message})`);
      await rejectsWith(() => db.docs.update(r.id, { wide: { increment: SAFE } }, { expectedVersion: 2 }), 'VALIDATION', 'far past the top');
      same(await db.docs.get(r.id), top, 'record unchanged');
      await db.docs.update(r.id, { wide: -9_000_000_000 });
      const low = await db.docs.update(r.id, { wide: { increment: -(SAFE - 9_000_000_000) } });
      assert.is(low.wide, -SAFE, 'down to -(2^53 - 1) is allowed');
      await rejectsWith(() => db.docs.update(r.id, { wide: { increment: -1 } }), 'VALIDATION', 'one past the bottom');
      const neg = await db.docs.update(r.id, { wide: { increment: 1 } });
      assert.is(neg.wide, -SAFE + 1, 'back inside');
      same(await db.docs.get(r.id), neg, 'stored as returned');
    });

    test('updateMany and upsert refuse a wide integer increment past 2^53 - 1 for any record, writing nothing', async ({ db }) => {
      const tag = `widem-${h.runId}`;
      await db.docs.createMany([
        { id: `m1-${h.runId}`, tag, wide: 1 },
        { id: `m2-${h.runId}`, tag, wide: 9_000_000_000 },
        { id: `m3-${h.runId}`, tag },
      ]);
      await db.docs.update(`m2-${h.runId}`, { wide: { increment: SAFE - 5 - 9_000_000_000 } });
      const before = await db.docs.find({ where: { tag }, orderBy: { id: 'asc' } });
      await rejectsWith(() => db.docs.updateMany({ tag }, { wide: { increment: 6 } }), 'VALIDATION', 'updateMany');
      same(await db.docs.find({ where: { tag }, orderBy: { id: 'asc' } }), before, 'no record changed');
      await rejectsWith(() => db.docs.upsert({ id: `m2-${h.runId}`, tag }, { update: { wide: { increment: 6 } } }), 'VALIDATION', 'upsert');
      same(await db.docs.find({ where: { tag }, orderBy: { id: 'asc' } }), before, 'upsert changed nothing');
      assert.is(await db.docs.updateMany({ tag }, { wide: { increment: 5 } }), 3, 'an increment that stays in range applies');
      const after = await db.docs.find({ where: { tag }, orderBy: { id: 'asc' } });
      assert.equal(after.map((x) => x.wide), [6, SAFE, null]);
      const up = await db.docs.upsert({ id: `m1-${h.runId}`, tag }, { update: { wide: { increment: -6 } } });
      assert.is(up.wide, 0);
    });
  });
}
