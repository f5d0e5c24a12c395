import * as assert from 'uvu/assert';
import type { DriverSession } from '../driver/driver.js';
import type { TransactionScope } from '../database/database-api.js';
import type { Harness } from './harness.js';
import { rejectsWith } from './harness.js';
import { itemsRepository } from './fixtures.js';

class Planned extends Error {}

/**
 * Bound on every transaction of this group: a driver that deadlocks on a
 * misuse (a query waiting for the transaction it runs in) fails with
 * TimeoutError instead of hanging the suite. Not a speed assertion.
 */
const BOUND = { timeout: '30s' } as const;

/**
 * How transactions refuse misuse, the same on every backend: a `tx` handle
 * (or a driver transaction session) used after its transaction ended, and
 * `db.<repo>` or `db.transaction` called inside an open transaction's
 * callback, raise TransactionError before anything reaches the backend.
 * Work the callback leaves running after it returns uses `db` normally.
 *
 * @example
 * ```ts
 * registerTransactionMisuseTests(harness);
 * ```
 */
export function registerTransactionMisuseTests(h: Harness): void {
  if (!h.capabilities.transactions) return;
  const repos = { items: itemsRepository(h.table('tx_misuse')) };
  const nested = h.capabilities.nestedTransactions;
  h.group('transaction misuse', repos, (test) => {
    test('a tx handle used after its transaction committed raises TransactionError and writes nothing', async ({ db }) => {
      const tag = `late-c-${h.runId}`;
      let leaked: TransactionScope<typeof repos> | undefined;
      const kept = await db.transaction(async (tx) => {
        leaked = tx;
        return tx.items.create({ name: 'inside', tag });
      }, BOUND);
      const error = await rejectsWith(() => leaked!.items.create({ name: 'late', tag }), 'TRANSACTION', 'create on an ended tx');
      assert.match(error.message, 'committed');
      await rejectsWith(() => leaked!.items.update(kept.id, { name: 'late' }), 'TRANSACTION', 'update on an ended tx');
      await rejectsWith(() => leaked!.items.get(kept.id), 'TRANSACTION', 'get on an ended tx');
      await rejectsWith(() => leaked!.items.count({ tag }), 'TRANSACTION', 'count on an ended tx');
      await rejectsWith(() => leaked!.transaction(async () => 1), 'TRANSACTION', 'transaction on an ended tx');
      assert.equal((await db.items.find({ where: { tag } })).map((r) => r.name), ['inside']);
    });

    test('a tx handle used after its transaction rolled back raises TransactionError and writes nothing', async ({ db }) => {
      const tag = `late-r-${h.runId}`;
      let leaked: TransactionScope<typeof repos> | undefined;
      const outcome = await db.transaction(async (tx) => {
        leaked = tx;
        await tx.items.create({ name: 'inside', tag });
        throw new Planned('roll back');
      }, BOUND).catch((error: unknown) => error);
      assert.instance(outcome, Planned);
      const error = await rejectsWith(() => leaked!.items.createMany([{ name: 'late', tag }]), 'TRANSACTION', 'createMany on an ended tx');
      assert.match(error.message, 'rolled back');
      await rejectsWith(() => leaked!.items.deleteMany({ tag }), 'TRANSACTION', 'deleteMany on an ended tx');
      assert.is(await db.items.count({ tag }), 0);
    });

    test('a driver transaction session used after its transaction ended raises TransactionError and changes nothing', async ({ db, driver }) => {
      const schema = db.schemas.get('items')!;
      const r = await db.items.create({ name: 'before', tag: `drv-${h.runId}` });
      let leaked: DriverSession | undefined;
      await driver.transaction(async (session) => {
        leaked = session;
        await session.getByIds(schema, [r.id], {});
      }, {});
      await rejectsWith(() => leaked!.update(schema, { ids: [r.id] }, { set: { name: 'after' }, increment: { version: 1 } }, {}), 'TRANSACTION', 'update on an ended session');
      await rejectsWith(() => leaked!.delete(schema, { ids: [r.id] }, {}), 'TRANSACTION', 'delete on an ended session');
      await rejectsWith(() => leaked!.getByIds(schema, [r.id], {}), 'TRANSACTION', 'getByIds on an ended session');
      const now = await db.items.get(r.id);
      assert.is(now?.name, 'before');
      assert.is(now?.version, 1);
    });

    if (nested) {
      test('a driver savepoint session used after its savepoint ended raises TransactionError, and the outer transaction still commits', async ({ db, driver }) => {
        const schema = db.schemas.get('items')!;
        const r = await db.items.create({ name: 'sp', tag: `sp-${h.runId}` });
        await driver.transaction(async (outer) => {
          let leaked: DriverSession | undefined;
          await outer.transaction(async (inner) => {
            leaked = inner;
          }, {});
          await rejectsWith(() => leaked!.update(schema, { ids: [r.id] }, { set: { name: 'via savepoint' }, increment: { version: 1 } }, {}), 'TRANSACTION', 'update on an ended savepoint');
          await outer.update(schema, { ids: [r.id] }, { set: { rank: 5 }, increment: { version: 1 } }, {});
        }, {});
        const now = await db.items.get(r.id);
        assert.is(now?.name, 'sp');
        assert.is(now?.rank, 5);
      });
    }

    test('db.<repo> inside a transaction callback raises TransactionError at once, and the transaction can go on', async ({ db }) => {
      const tag = `db-in-tx-${h.runId}`;
      const seen = await db.transaction(async (tx) => {
        await tx.items.create({ name: 'via tx', tag });
        const errors = [
          await rejectsWith(() => db.items.create({ name: 'via db', tag }), 'TRANSACTION', 'db.items.create inside the callback'),
          await rejectsWith(() => db.items.count({ tag }), 'TRANSACTION', 'db.items.count inside the callback'),
          await rejectsWith(() => db.items.find({ where: { tag } }), 'TRANSACTION', 'db.items.find inside the callback'),
        ];
        for (const e of errors) assert.match(e.message, 'tx.');
        await tx.items.create({ name: 'after the refusal', tag });
        return tx.items.count({ tag });
      }, BOUND);
      assert.is(seen, 2);
      assert.equal((await db.items.find({ where: { tag }, orderBy: { name: 'asc' } })).map((r) => r.name), ['after the refusal', 'via tx']);
    });

    test('db.transaction inside a transaction callback raises TransactionError (use tx.transaction)', async ({ db }) => {
      const tag = `db-tx-in-tx-${h.runId}`;
      await db.transaction(async (tx) => {
        const e = await rejectsWith(() => db.transaction(async (other) => other.items.create({ name: 'other', tag })), 'TRANSACTION', 'db.transaction inside the callback');
        assert.match(e.message, 'tx.transaction');
        await tx.items.create({ name: 'kept', tag });
      }, BOUND);
      assert.equal((await db.items.find({ where: { tag } })).map((r) => r.name), ['kept']);
    });

    test('Promise.all over tx calls inside the callback works, and a refused db call among them does not stop the others', async ({ db }) => {
      const tag = `all-${h.runId}`;
      const outcomes = await db.transaction(async (tx) => Promise.allSettled([
        tx.items.create({ name: 'a', tag }),
        tx.items.create({ name: 'b', tag }),
        db.items.create({ name: 'via db', tag }),
        tx.items.count({ tag }),
      ]), BOUND);
      assert.equal(outcomes.map((o) => o.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      assert.is(((outcomes[2] as PromiseRejectedResult).reason as { code?: string }).code, 'TRANSACTION');
      assert.equal((await db.items.find({ where: { tag }, orderBy: { name: 'asc' } })).map((r) => r.name), ['a', 'b']);
    });

    if (nested) {
      test('inside a nested transaction tx.transaction works and db.<repo> is refused the same way', async ({ db }) => {
        const tag = `nested-${h.runId}`;
        await db.transaction(async (tx) => {
          await tx.transaction(async (inner) => {
            await inner.items.create({ name: 'inner', tag });
            await rejectsWith(() => db.items.create({ name: 'via db', tag }), 'TRANSACTION', 'db inside a nested callback');
          });
          await tx.items.create({ name: 'outer', tag });
        }, BOUND);
        assert.equal((await db.items.find({ where: { tag }, orderBy: { name: 'asc' } })).map((r) => r.name), ['inner', 'outer']);
      });
    }

    test('work the callback leaves running uses db after the transaction ended, and sees what it committed', async ({ db }) => {
      const tag = `detached-${h.runId}`;
      let later: Promise<number> | undefined;
      await db.transaction(async (tx) => {
        await tx.items.create({ name: 'committed', tag });
        // Starts after the callback returned (a macrotask), usually while the backend still commits.
        later = new Promise<void>((resolve) => setImmediate(resolve)).then(() => db.items.count({ tag }));
      }, BOUND);
      assert.is(await later!, 1);
    });

    test('work the callback starts and does not await gets TransactionError while the callback still runs', async ({ db }) => {
      const tag = `detached-early-${h.runId}`;
      await db.transaction(async (tx) => {
        const early = new Promise<void>((resolve) => setImmediate(resolve)).then(() => db.items.create({ name: 'early', tag }));
        await rejectsWith(() => early, 'TRANSACTION', 'detached db call while the callback runs');
        await tx.items.create({ name: 'tx', tag });
      }, BOUND);
      assert.equal((await db.items.find({ where: { tag } })).map((r) => r.name), ['tx']);
    });

    test('a transaction after a refused misuse works normally, and db works again once the transaction returned', async ({ db }) => {
      const tag = `after-${h.runId}`;
      await db.transaction(async (tx) => {
        await db.items.get('x').catch(() => undefined);
        await tx.items.create({ name: 'one', tag });
      }, BOUND);
      await db.items.create({ name: 'two', tag });
      assert.is(await db.items.count({ tag }), 2);
    });
  });
}
