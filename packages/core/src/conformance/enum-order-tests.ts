import * as assert from 'uvu/assert';
import { defineRepository } from '../schema/define-repository.js';
import { f } from '../schema/fields.js';
import type { Harness } from './harness.js';

/**
 * A repository whose enum declares its values out of string order
 * (low, medium, high): ordering by declaration and by string differ.
 *
 * @example
 * ```ts
 * const repos = { levels: levelsRepository(harness.table('enum_order')) };
 * ```
 */
export function levelsRepository(table: string) {
  return defineRepository('levels', { id: f.id(), level: f.enum(['low', 'medium', 'high']).optional() }, { table });
}

/**
 * Enums order by their strings (code points), not by the order their
 * values are declared in: range filters and orderBy agree on every driver.
 *
 * @example
 * ```ts
 * registerEnumOrderTests(harness);
 * ```
 */
export function registerEnumOrderTests(h: Harness): void {
  const repos = { levels: levelsRepository(h.table('enum_order')) };
  let seeded: Promise<unknown> | undefined;
  h.group('enum order', repos, (test) => {
    const seed = (db: { levels: { createMany(rows: Array<{ level: 'low' | 'medium' | 'high' | null }>): Promise<unknown> } }) =>
      (seeded ??= db.levels.createMany([{ level: 'low' }, { level: 'medium' }, { level: 'high' }, { level: null }]));
    test('range filters on an enum compare its strings, not the declaration order', async ({ db }) => {
      await seed(db);
      const levels = async (where: object) => (await db.levels.find({ where: where as never })).map((r) => r.level).sort();
      assert.equal(await levels({ level: { gt: 'low' } }), ['medium'], "gt 'low'");
      assert.equal(await levels({ level: { lt: 'low' } }), ['high'], "lt 'low'");
      assert.equal(await levels({ level: { gte: 'high', lte: 'low' } }), ['high', 'low'], "from 'high' to 'low'");
      assert.is(await db.levels.count({ level: { lte: 'medium' } }), 3, 'a range never matches null');
    });
    test('orderBy on an enum sorts its strings, like the range filters', async ({ db }) => {
      await seed(db);
      const rows = await db.levels.find({ where: { level: { isNull: false } }, orderBy: { level: 'asc' } });
      assert.equal(rows.map((r) => r.level), ['high', 'low', 'medium']);
    });
  });
}
