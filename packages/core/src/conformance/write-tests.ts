import * as assert from 'uvu/assert';
import type { Harness } from './harness.js';
import { rejectsWith, same } from './harness.js';
import { itemsRepository } from './fixtures.js';
import { show } from './reference.js';
import type { ValidationError } from '../errors.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Optimistic locking, managed timestamps and atomic increments.
 *
 * @example
 * ```ts
 * registerWriteTests(harness);
 * ```
 */
export function registerWriteTests(h: Harness): void {
  const repos = { items: itemsRepository(h.table('writes')) };
  h.group('versions, timestamps and increments', repos, (test) => {
    test('every update increments the version by one', async ({ db }) => {
      const r = await db.items.create({ name: 'v' });
      assert.is(r.version, 1);
      const u1 = await db.items.update(r.id, { name: 'v2' });
      assert.is(u1.version, 2);
      const u2 = await db.items.update(r.id, { rank: 1 }, { expectedVersion: 2 });
      assert.is(u2.version, 3);
      assert.is((await db.items.get(r.id))?.version, 3);
      await db.items.updateMany({ id: r.id }, { rank: 2 });
      assert.is((await db.items.get(r.id))?.version, 4);
    });

    test('update with a stale version raises ConflictError and changes nothing', async ({ db }) => {
      const r = await db.items.create({ name: 'stale', rank: 1 });
      await db.items.update(r.id, { rank: 2 }, { expectedVersion: 1 });
      const before = await db.items.get(r.id);
      await rejectsWith(() => db.items.update(r.id, { rank: 3 }, { expectedVersion: 1 }), 'CONFLICT', 'stale update');
      await rejectsWith(() => db.items.update(r.id, { rank: 3 }, { expectedVersion: 3 }), 'CONFLICT', 'future version');
      same(await db.items.get(r.id), before, 'record unchanged after the conflicts');
    });

    test('of two writers holding the same version exactly one wins', async ({ db }) => {
      const r = await db.items.create({ name: 'race', counter: 0 });
      const results = await Promise.allSettled([
        db.items.update(r.id, { name: 'left' }, { expectedVersion: 1 }),
        db.items.update(r.id, { name: 'right' }, { expectedVersion: 1 }),
      ]);
      const won = results.filter((x) => x.status === 'fulfilled');
      const lost = results.filter((x) => x.status === 'rejected');
      assert.is(won.length, 1);
      assert.is(lost.length, 1);
      assert.is(((lost[0] as PromiseRejectedResult).reason as { code?: string }).code, 'CONFLICT');
      const now = await db.items.get(r.id);
      assert.is(now?.version, 2);
      assert.is(now?.name, (won[0] as PromiseFulfilledResult<{ name: string }>).value.name);
    });

    test('delete with a stale version raises ConflictError and keeps the record; the right version deletes it', async ({ db }) => {
      const r = await db.items.create({ name: 'd' });
      await db.items.update(r.id, { name: 'd2' });
      await rejectsWith(() => db.items.delete(r.id, { expectedVersion: 1 }), 'CONFLICT', 'stale delete');
      assert.is((await db.items.get(r.id))?.name, 'd2');
      assert.is(await db.items.delete(r.id, { expectedVersion: 2 }), true);
      assert.is(await db.items.get(r.id), null);
    });

    test('update with expectedVersion of a missing record raises NotFoundError', async ({ db }) => {
      await rejectsWith(() => db.items.update(`missing-${h.runId}`, { name: 'x' }, { expectedVersion: 1 }), 'NOT_FOUND', 'missing');
    });

    test('createdAt and updatedAt are set on create; update moves updatedAt only', async ({ db }) => {
      const t0 = Date.now();
      const r = await db.items.create({ name: 'ts' });
      const t1 = Date.now();
      assert.instance(r.createdAt, Date);
      assert.ok(r.createdAt.getTime() >= t0 && r.createdAt.getTime() <= t1, 'createdAt is the time of the call');
      same(r.updatedAt, r.createdAt, 'updatedAt equals createdAt on create');
      await sleep(5);
      const u = await db.items.update(r.id, { name: 'ts2' });
      same(u.createdAt, r.createdAt, 'createdAt unchanged by update');
      assert.ok(u.updatedAt.getTime() > r.updatedAt.getTime(), 'updatedAt moved forward');
      const read = await db.items.get(r.id);
      same(read?.createdAt, r.createdAt, 'stored createdAt');
      same(read?.updatedAt, u.updatedAt, 'stored updatedAt');
    });

    test('increments add to integer, bigint and number fields', async ({ db }) => {
      const r = await db.items.create({ name: 'inc', counter: 10, total: 2n ** 53n, ratio: 0.5 });
      const u = await db.items.update(r.id, { counter: { increment: 5 }, total: { increment: 3n }, ratio: { increment: 0.25 } });
      assert.is(u.counter, 15);
      same(u.total, 2n ** 53n + 3n, 'bigint increment beyond 2^53');
      assert.is(u.ratio, 0.75);
      const d = await db.items.update(r.id, { counter: { increment: -20 }, total: { increment: -1n } });
      assert.is(d.counter, -5);
      same(d.total, 2n ** 53n + 2n, 'negative bigint increment');
      const read = await db.items.get(r.id);
      assert.is(read?.counter, -5);
      assert.is(read?.version, 3);
    });

    test('an increment of a null value leaves it null (SQL col = col + n)', async ({ db }) => {
      const r = await db.items.create({ name: 'inc-null' });
      const u = await db.items.update(r.id, { rank: { increment: 2 } });
      assert.is(u.rank, null);
      assert.is((await db.items.get(r.id))?.rank, null);
    });

    test('an increment past the range of the field raises a typed error and changes nothing', async ({ db }) => {
      const r = await db.items.create({ name: 'overflow', counter: 2147483647, total: 2n ** 63n - 1n });
      const typed = (e: unknown) => (e as { code?: string }).code === 'VALIDATION' || (e as { code?: string }).code === 'DRIVER';
      const shown = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : `success with ${show(e)}`);
      const intErr = await db.items.update(r.id, { counter: { increment: 1 } }).catch((e: unknown) => e);
      assert.ok(typed(intErr), `integer overflow: expected a ValidationError or DriverError, got ${shown(intErr)}`);
      const bigErr = await db.items.update(r.id, { total: { increment: 1n } }).catch((e: unknown) => e);
      assert.ok(typed(bigErr), `bigint overflow: expected a ValidationError or DriverError, got ${shown(bigErr)}`);
      same(await db.items.get(r.id), r, 'record unchanged');
    });

    test('an increment amount beyond the field type applies when the sum fits, and is refused only when a sum does not', async ({ db }) => {
      const tag = `wide-${h.runId}`;
      const r = await db.items.create({ name: 'wide', tag, counter: -1, total: -1n });
      const int = 2 ** 31;
      const big = 2n ** 63n;
      // Nothing is summed: a missing record, a stale version, no match, a null field.
      await rejectsWith(() => db.items.update(`missing-${h.runId}`, { counter: { increment: int } }), 'NOT_FOUND', 'missing record');
      await rejectsWith(() => db.items.update(r.id, { total: { increment: big } }, { expectedVersion: 9 }), 'CONFLICT', 'stale version');
      assert.is(await db.items.updateMany({ tag: `${tag}-none` }, { counter: { increment: int }, total: { increment: big } }), 0);
      const nulls = await db.items.update(r.id, { rank: { increment: int }, big: { increment: 2n ** 64n } });
      assert.equal([nulls.rank, nulls.big], [null, null]);
      // The sum lands back in range: -1 + 2^31 fits an integer, -1 + 2^63 a bigint.
      const fits = await db.items.update(r.id, { counter: { increment: int }, total: { increment: big } });
      assert.equal([fits.counter, fits.total], [2 ** 31 - 1, 2n ** 63n - 1n]);
      // A sum out of range is the ValidationError of any increment past the field's range; nothing is written.
      const issue = (e: unknown) => (e as ValidationError).issues.map((i) => `${i.path}: ${i.message}`);
      assert.equal(issue(await rejectsWith(() => db.items.update(r.id, { counter: { increment: int } }), 'VALIDATION', 'integer')),
        ['counter.increment: the result leaves the range of items.counter']);
      assert.equal(issue(await rejectsWith(() => db.items.updateMany({ tag }, { total: { increment: big } }), 'VALIDATION', 'bigint')),
        ['total.increment: the result leaves the range of items.total']);
      await rejectsWith(() => db.items.upsert({ id: r.id, name: 'wide' }, { update: { counter: { increment: int } } }), 'VALIDATION', 'upsert');
      same(await db.items.get(r.id), fits, 'record unchanged');
    });

    test('concurrent increments are atomic (no lost update)', async ({ db }) => {
      const r = await db.items.create({ name: 'atomic', counter: 0 });
      await Promise.all(Array.from({ length: 20 }, () => db.items.update(r.id, { counter: { increment: 1 } })));
      const read = await db.items.get(r.id);
      assert.is(read?.counter, 20);
      assert.is(read?.version, 21);
    });

    test('updateMany applies increments to every matching record', async ({ db }) => {
      const tag = `incm-${h.runId}`;
      await db.items.createMany([{ name: 'a', tag, counter: 1 }, { name: 'b', tag, counter: 2 }, { name: 'c', tag: `${tag}-x`, counter: 3 }]);
      assert.is(await db.items.updateMany({ tag }, { counter: { increment: 10 } }), 2);
      const all = await db.items.find({ where: { tag: { in: [tag, `${tag}-x`] } }, orderBy: { name: 'asc' } });
      assert.equal(all.map((r) => r.counter), [11, 12, 3]);
    });
  });
}
