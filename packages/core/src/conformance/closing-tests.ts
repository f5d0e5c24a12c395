import * as assert from 'uvu/assert';
import { createDatabase } from '../database/create-database.js';
import type { Harness } from './harness.js';
import { rejectsWith } from './harness.js';
import { itemsRepository } from './fixtures.js';

/**
 * What a closed database does, the same on every backend: every call made
 * after `db.close()` (reads, writes, new transactions) fails at once with a
 * ConnectionError saying the database was closed and nothing was sent
 * (`info.reason: 'closed'`, `info.sent: false`), never a timeout or a
 * message about an unreachable server.
 *
 * @example
 * ```ts
 * registerClosingTests(harness);
 * ```
 */
export function registerClosingTests(h: Harness): void {
  const repos = { items: itemsRepository(h.table('closing')) };
  h.group('closing', repos, (test) => {
    test('calls after close() fail at once with a ConnectionError saying the database was closed; nothing is sent', async () => {
      const driver = await h.options.createDriver();
      const db = createDatabase({ driver, repositories: repos });
      try {
        await db.connect();
        const kept = await db.items.create({ name: 'before close' });
        await db.close();
        const calls: Array<[string, () => Promise<unknown>]> = [
          ['create', () => db.items.create({ name: 'after close' })],
          ['createMany', () => db.items.createMany([{ name: 'after close 1' }, { name: 'after close 2' }])],
          ['update', () => db.items.update(kept.id, { counter: { increment: 1 } })],
          ['delete', () => db.items.delete(kept.id)],
          ['get', () => db.items.get(kept.id)],
          ['find', () => db.items.find({})],
          ['count', () => db.items.count()],
          ['aggregate', () => db.items.aggregate({ count: ['_all'] })],
        ];
        if (h.capabilities.transactions) calls.push(['transaction', () => db.transaction(async (tx) => tx.items.count())]);
        for (const [what, call] of calls) {
          const started = performance.now();
          const error = await rejectsWith(call, 'CONNECTION', what);
          const elapsed = performance.now() - started;
          assert.match(error.message, /closed/, what);
          assert.not.match(error.message, /could not be reached|server is up|may or may not/, what);
          assert.is(error.info.reason, 'closed', what);
          assert.is(error.info.sent, false, what);
          assert.ok(elapsed < 1000, `${what} took ${Math.round(elapsed)} ms to fail`);
        }
      } finally {
        await db.close();
        await h.options.closeDriver?.(driver);
      }
    });
  });
}
