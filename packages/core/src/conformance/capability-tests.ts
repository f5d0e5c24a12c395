import type { Harness } from './harness.js';
import { rejectsWith } from './harness.js';
import { itemsRepository } from './fixtures.js';

type Flag = 'or' | 'ne' | 'notIn' | 'startsWith' | 'notStartsWith';

/** Queries that need one capability each. */
const NEEDS: ReadonlyArray<{ cap: Flag; what: string; where: object }> = [
  { cap: 'or', what: 'an or filter', where: { or: [{ rank: 1 }, { rank: 2 }] } },
  { cap: 'ne', what: 'ne', where: { rank: { ne: 1 } } },
  { cap: 'notIn', what: 'notIn', where: { rank: { notIn: [1, 2] } } },
  { cap: 'startsWith', what: 'startsWith', where: { name: { startsWith: 'a' } } },
  { cap: 'notStartsWith', what: 'a negated startsWith', where: { not: { name: { startsWith: 'a' } } } },
];

/**
 * What a driver declares it cannot do is refused by core with
 * UnsupportedQueryError before the driver sees it (never silently answered
 * differently), for reads and filtered writes alike.
 *
 * @example
 * ```ts
 * registerCapabilityTests(harness);
 * ```
 */
export function registerCapabilityTests(h: Harness): void {
  const missing = NEEDS.filter((n) => !h.capabilities[n.cap]);
  const caps = h.capabilities;
  if (missing.length === 0 && caps.offset && (caps.maxInList === undefined)) return;
  const repos = { items: itemsRepository(h.table('caps')) };
  h.group('declared capabilities', repos, (test) => {
    for (const n of missing) {
      test(`${n.what} is refused with UnsupportedQueryError (${n.cap}: false) and nothing changes`, async ({ db }) => {
        const r = await db.items.create({ name: 'abc', rank: 1 });
        await rejectsWith(() => db.items.find({ where: n.where as never }), 'UNSUPPORTED_QUERY', `find with ${n.what}`);
        await rejectsWith(() => db.items.count(n.where as never), 'UNSUPPORTED_QUERY', `count with ${n.what}`);
        await rejectsWith(() => db.items.updateMany(n.where as never, { name: 'changed' }), 'UNSUPPORTED_QUERY', `updateMany with ${n.what}`);
        await rejectsWith(() => db.items.deleteMany(n.where as never), 'UNSUPPORTED_QUERY', `deleteMany with ${n.what}`);
        const after = await db.items.get(r.id);
        if (after?.name !== 'abc') throw new Error(`a refused write changed the data (name is ${String(after?.name)})`);
      });
    }
    if (!caps.offset) {
      test('offset is refused with UnsupportedQueryError (offset: false)', async ({ db }) => {
        await rejectsWith(() => db.items.find({ offset: 2 }), 'UNSUPPORTED_QUERY', 'offset');
      });
    }
    if (caps.maxInList !== undefined) {
      const max = caps.maxInList;
      test(`an in list longer than maxInList (${max}) is refused with UnsupportedQueryError`, async ({ db }) => {
        await rejectsWith(() => db.items.find({ where: { rank: { in: Array.from({ length: max + 1 }, (_, i) => i) } } }), 'UNSUPPORTED_QUERY', 'long in list');
      });
    }
  });
}
