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
    version: f.version(),
  }, { table });
}

function namesField(e: ValidationError, field: string): boolean {
  return e.issues.some((i) => i.path === field || i.path.endsWith(`.${field}`) || i.path.startsWith(`${field}.`));
}

/**
 * Values one backend could not store are refused on all of them, before
 * anything is written: a NUL character anywhere in a JSON value (jsonb
 * cannot hold U+0000).
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
  });
}
