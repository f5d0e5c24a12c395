import * as assert from 'uvu/assert';
import type { Harness } from './harness.js';
import { rejectsWith, same } from './harness.js';
import { itemsRepository } from './fixtures.js';

/** Options as a JavaScript caller (or one with `as any`) may pass them. */
type Loose = Record<string, unknown>;

/** Wait long enough for a write that raced past a failed call to land, so the checks below would see it. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

/**
 * Call and transaction options are checked, keys and values, before
 * anything runs, the same on every backend: a `signal` that is not an
 * AbortSignal, an `actor` that is not a string, a misspelt or unknown
 * isolation level is a ValidationError naming the option, and nothing is
 * written (the transaction's callback never runs).
 *
 * @example
 * ```ts
 * registerCallOptionTests(harness);
 * ```
 */
export function registerCallOptionTests(h: Harness): void {
  const repos = { items: itemsRepository(h.table('call_options')) };
  h.group('call and transaction options', repos, (test) => {
    test('a call option of the wrong type is a ValidationError naming it, and nothing is written', async ({ db }) => {
      const tag = `opt-${h.runId}`;
      const kept = await db.items.create({ name: 'kept', tag });
      const bad: Loose[] = [{ signal: 5 }, { signal: {} }, { actor: 5 }, { traceId: {} }, { tenant: 1 }, { cache: 'no' }, { cache: { ttl: '1s', ttI: 1 } }];
      for (const options of bad) {
        const what = JSON.stringify(options);
        const key = Object.keys(options)[0]!;
        const e = await rejectsWith(() => db.items.create({ name: 'new', tag }, options), 'VALIDATION', `create ${what}`);
        assert.match(e.message, `options.${key}`);
        await rejectsWith(() => db.items.createMany([{ name: 'new', tag }], options), 'VALIDATION', `createMany ${what}`);
        await rejectsWith(() => db.items.update(kept.id, { name: 'changed' }, options), 'VALIDATION', `update ${what}`);
        await rejectsWith(() => db.items.updateMany({ tag }, { name: 'changed' }, options), 'VALIDATION', `updateMany ${what}`);
        await rejectsWith(() => db.items.upsert({ id: kept.id, name: 'changed', tag }, options), 'VALIDATION', `upsert ${what}`);
        await rejectsWith(() => db.items.delete(kept.id, options), 'VALIDATION', `delete ${what}`);
        await rejectsWith(() => db.items.deleteMany({ tag }, options), 'VALIDATION', `deleteMany ${what}`);
        await rejectsWith(() => db.items.find({ where: { tag } }, options), 'VALIDATION', `find ${what}`);
        await rejectsWith(() => db.items.get(kept.id, options), 'VALIDATION', `get ${what}`);
        await rejectsWith(() => db.items.count({ tag }, options), 'VALIDATION', `count ${what}`);
      }
      await settle();
      same(await db.items.find({ where: { tag } }), [kept], 'only the record written before, unchanged');
      const signal = new AbortController().signal;
      same(await db.items.get(kept.id, { signal, actor: 'user:1', traceId: 't', tenant: 'a', cache: { ttl: '1s' } }), kept, 'well-typed options work');
    });

    if (!h.capabilities.transactions) return;
    test('wrong transaction options are a ValidationError naming them, and the callback never runs', async ({ db }) => {
      const tag = `txopt-${h.runId}`;
      let ran = 0;
      const work = async (tx: { items: typeof db.items }) => {
        ran++;
        await tx.items.create({ name: 'in-tx', tag });
      };
      const bad: Array<[unknown, string]> = [
        [{ isolation: 'bogus' }, 'options.isolation'],
        [{ isolation: 'Serializable' }, 'options.isolation'],
        [{ isolaton: 'serializable' }, 'options.isolaton'],
        ['serializable', 'options'],
        [{ signal: 5 }, 'options.signal'],
        [{ actor: 42 }, 'options.actor'],
      ];
      for (const [options, path] of bad) {
        const e = await rejectsWith(() => db.transaction(work, options as Loose), 'VALIDATION', `transaction ${JSON.stringify(options)}`);
        assert.match(e.message, path);
        const nested = await rejectsWith(() => db.transaction((tx) => tx.transaction(work, options as Loose)), 'VALIDATION', `nested ${JSON.stringify(options)}`);
        assert.match(nested.message, path);
      }
      await settle();
      assert.is(ran, 0, 'no callback ran');
      assert.is(await db.items.count({ tag }), 0, 'nothing was written');
      await db.transaction(work, { isolation: h.capabilities.isolationLevels[0], timeout: '30s', actor: 'user:1' });
      await db.transaction(work, null as unknown as Loose);
      assert.is(await db.items.count({ tag }), 2, 'well-formed options (and null) run the transaction');
    });
  });
}
