import * as assert from 'uvu/assert';
import type { Harness } from './harness.js';
import type { Database, TransactionScope } from '../database/database-api.js';
import { rejectsWith } from './harness.js';
import { accountsRepository, itemsRepository } from './fixtures.js';

class Planned extends Error {}

/**
 * Transactions: commit, rollback on a throw, read-your-writes, savepoints,
 * and a unique violation inside a transaction. Only what the capabilities
 * declare is tested; the rest must be refused.
 *
 * @example
 * ```ts
 * registerTransactionTests(harness);
 * ```
 */
export function registerTransactionTests(h: Harness): void {
  const repos = { items: itemsRepository(h.table('tx_items')), accounts: accountsRepository(h.table('tx_accounts')) };
  const caps = h.capabilities;
  h.group('transactions', repos, (test) => {
    if (!caps.transactions) {
      test('db.transaction is refused with UnsupportedQueryError (transactions: false)', async ({ db }) => {
        await rejectsWith(() => db.transaction(async () => 1), 'UNSUPPORTED_QUERY', 'transaction');
      });
      return;
    }

    test('a transaction commits every write when its function resolves', async ({ db }) => {
      const tag = `c-${h.runId}`;
      const result = await db.transaction(async (tx) => {
        const a = await tx.items.create({ name: 'a', tag });
        await tx.items.create({ name: 'b', tag });
        await tx.items.update(a.id, { rank: 7 });
        await tx.accounts.create({ tenant: tag, name: 'acc' });
        return a.id;
      });
      assert.is(await db.items.count({ tag }), 2);
      assert.is((await db.items.get(result))?.rank, 7);
      assert.is(await db.accounts.count({ tenant: tag }), 1);
    });

    test('a transaction rolls back every write when its function throws, and rethrows', async ({ db }) => {
      const tag = `r-${h.runId}`;
      const kept = await db.items.create({ name: 'kept', tag, rank: 1 });
      const gone = await db.items.create({ name: 'gone', tag });
      try {
        await db.transaction(async (tx) => {
          await tx.items.create({ name: 'new', tag });
          await tx.items.update(kept.id, { rank: 99 });
          await tx.items.delete(gone.id);
          await tx.accounts.create({ tenant: tag, name: 'acc' });
          throw new Planned('roll back');
        });
        assert.unreachable('the transaction should have thrown');
      } catch (error) {
        assert.instance(error, Planned);
      }
      assert.is(await db.items.count({ tag }), 2);
      assert.is((await db.items.get(kept.id))?.rank, 1);
      assert.is((await db.items.get(kept.id))?.version, 1);
      assert.ok(await db.items.get(gone.id));
      assert.is(await db.accounts.count({ tenant: tag }), 0);
    });

    test('reads inside a transaction see its own writes', async ({ db }) => {
      const tag = `ryw-${h.runId}`;
      await db.transaction(async (tx) => {
        const a = await tx.items.create({ name: 'a', tag, rank: 1 });
        assert.is((await tx.items.get(a.id))?.name, 'a');
        assert.is(await tx.items.count({ tag }), 1);
        await tx.items.updateMany({ tag }, { rank: 2 });
        assert.equal((await tx.items.find({ where: { tag } })).map((r) => r.rank), [2]);
        await tx.items.delete(a.id);
        assert.is(await tx.items.exists({ tag }), false);
      });
    });

    test('a unique violation inside a transaction raises UniqueViolationError and rolls it back', async ({ db }) => {
      const email = `txu-${h.runId}@x.test`;
      await db.accounts.create({ email, tenant: 'tx', name: 'owner' });
      await rejectsWith(() => db.transaction(async (tx) => {
        await tx.accounts.create({ tenant: 'tx-u', name: 'before' });
        await tx.accounts.create({ email, tenant: 'tx-u', name: 'dup' });
      }), 'UNIQUE_VIOLATION', 'unique in transaction');
      assert.is(await db.accounts.count({ tenant: 'tx-u' }), 0);
    });

    test('a stale version inside a transaction raises ConflictError and rolls it back', async ({ db }) => {
      const tag = `txv-${h.runId}`;
      const r = await db.items.create({ name: 'v', tag });
      await db.items.update(r.id, { name: 'v2' });
      await rejectsWith(() => db.transaction(async (tx) => {
        await tx.items.create({ name: 'side', tag });
        await tx.items.update(r.id, { name: 'v3' }, { expectedVersion: 1 });
      }), 'CONFLICT', 'stale version in transaction');
      assert.is(await db.items.count({ tag }), 1);
      assert.is((await db.items.get(r.id))?.name, 'v2');
    });

    /** Run `body` in a transaction with a 50 ms timeout; assert TimeoutError and that nothing tagged `tag` was committed. */
    const timedOut = async (db: Database<typeof repos>, tag: string, body: (tx: TransactionScope<typeof repos>) => Promise<void>) => {
      let finished!: () => void;
      const done = new Promise<void>((resolve) => (finished = resolve));
      const outcome = await db.transaction(async (tx) => {
        try {
          await body(tx);
        } finally {
          finished();
        }
      }, { timeout: 50 }).catch((error: unknown) => error);
      assert.is((outcome as { code?: string }).code, 'TIMEOUT');
      await done;
      // Give a driver that (wrongly) commits after the deadline the time to do it.
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.is(await db.items.count({ tag }), 0);
    };

    test('a transaction that outlives its timeout raises TimeoutError and commits nothing', async ({ db }) => {
      const tag = `to-${h.runId}`;
      await timedOut(db, tag, async (tx) => {
        await tx.items.create({ name: 'slow', tag });
        await new Promise((resolve) => setTimeout(resolve, 300));
      });
    });

    test('writes a transaction function makes after its timeout fired are not committed anywhere', async ({ db }) => {
      const tag = `to2-${h.runId}`;
      await timedOut(db, tag, async (tx) => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        await tx.items.create({ name: 'after the deadline', tag });
      });
    });

    if (caps.nestedTransactions) {
      test('a nested transaction that throws rolls back only its own writes', async ({ db }) => {
        const tag = `n1-${h.runId}`;
        await db.transaction(async (tx) => {
          await tx.items.create({ name: 'outer', tag });
          try {
            await tx.transaction(async (inner) => {
              await inner.items.create({ name: 'inner', tag });
              assert.is(await inner.items.count({ tag }), 2);
              throw new Planned('inner');
            });
          } catch (error) {
            assert.instance(error, Planned);
          }
          assert.is(await tx.items.count({ tag }), 1);
          await tx.items.create({ name: 'after', tag });
        });
        assert.equal((await db.items.find({ where: { tag }, orderBy: { name: 'asc' } })).map((r) => r.name), ['after', 'outer']);
      });

      test('a committed nested transaction is rolled back with its outer transaction', async ({ db }) => {
        const tag = `n2-${h.runId}`;
        const outcome = await db.transaction(async (tx) => {
          await tx.items.create({ name: 'outer', tag });
          await tx.transaction(async (inner) => {
            await inner.items.create({ name: 'inner', tag });
          });
          assert.is(await tx.items.count({ tag }), 2);
          throw new Planned('outer');
        }).catch((error: unknown) => error);
        assert.instance(outcome, Planned);
        assert.is(await db.items.count({ tag }), 0);
      });

      test('nested transactions two levels deep commit together', async ({ db }) => {
        const tag = `n3-${h.runId}`;
        await db.transaction(async (tx) => {
          await tx.transaction(async (a) => {
            await a.items.create({ name: 'a', tag });
            await a.transaction(async (b) => {
              await b.items.create({ name: 'b', tag });
            });
          });
        });
        assert.is(await db.items.count({ tag }), 2);
      });
    } else {
      test('a nested transaction is refused with UnsupportedQueryError (nestedTransactions: false)', async ({ db }) => {
        await rejectsWith(() => db.transaction(async (tx) => tx.transaction(async () => 1)), 'UNSUPPORTED_QUERY', 'nested');
      });
    }

    if (caps.isolationLevels.includes('serializable')) {
      test('concurrent serializable read-modify-write transactions lose no update (each commits or fails with a typed error)', async ({ db }) => {
        const r = await db.items.create({ name: 'rmw', counter: 0 });
        const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => db.transaction(async (tx) => {
          const cur = await tx.items.get(r.id);
          await new Promise((resolve) => setTimeout(resolve, 5));
          await tx.items.update(r.id, { counter: cur!.counter + 1 });
        }, { isolation: 'serializable' })));
        const committed = outcomes.filter((o) => o.status === 'fulfilled').length;
        for (const o of outcomes) {
          if (o.status === 'rejected') assert.type((o.reason as { code?: unknown }).code, 'string', `a failed transaction raises a typed error, got ${String(o.reason)}`);
        }
        assert.ok(committed >= 1, 'at least one transaction commits');
        assert.is((await db.items.get(r.id))?.counter, committed, 'the counter equals the number of committed transactions');
      });
    }

    for (const isolation of caps.isolationLevels) {
      test(`a transaction runs at the declared isolation level "${isolation}"`, async ({ db }) => {
        const tag = `iso-${isolation.replace(' ', '-')}-${h.runId}`;
        await db.transaction(async (tx) => {
          await tx.items.create({ name: 'i', tag });
        }, { isolation });
        assert.is(await db.items.count({ tag }), 1);
      });
    }
  });
}
