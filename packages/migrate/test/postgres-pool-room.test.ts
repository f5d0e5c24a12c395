// migrate holds one pooled connection for its advisory lock while data steps write their batches on others:
// it runs no more batch transactions at once than the pool has left, and refuses what cannot fit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, createDatabase, defineRepository, f } from '@chatcore/core';
import type { Plugin } from '@chatcore/core/plugin';
import { requireService } from '@chatcore/core/testing';
import { postgres } from '@chatcore/postgres';
import { defineMigration, migrate, migrationStatus } from '../src/index.js';
import { freshDatabase } from './helpers/pg-database.js';

await requireService('postgres');

const usersV1 = defineRepository('users', { id: f.id(), name: f.string() });
const usersV2 = defineRepository('users', { id: f.id(), name: f.string(), level: f.integer() });
const addLevel = defineMigration({ id: 'm1_level', up: (m) => { m.addField('users', 'level'); m.backfill('users', { batchSize: 4 }, () => ({ level: 1 })); } });

/** Holds each transaction's connection 2.5 s after its first update: longer than the 2 s a caller may wait for one. */
function slowTransactions(): Plugin {
  const seen = new Set<string>();
  return {
    name: 'slow-transactions',
    async around(op, ctx, next) {
      const result = await next(op);
      const tx = ctx.transaction;
      if (op.kind === 'update' && tx && !tx.implicit && !seen.has(tx.id)) {
        seen.add(tx.id);
        await new Promise((r) => setTimeout(r, 2500));
      }
      return result;
    },
  };
}

async function withUsers(fn: (url: string) => Promise<void>): Promise<void> {
  const database = await freshDatabase();
  try {
    const v1 = createDatabase({ driver: postgres({ url: database.url, poolSize: 2 }), repositories: { users: usersV1 } });
    await v1.connect();
    await v1.users.createMany(['a', 'b', 'c', 'd'].map((name) => ({ name })));
    await v1.close();
    await fn(database.url);
  } finally {
    await database.drop();
  }
}

test('a pool of 2: the batches run one at a time beside the lock, instead of waiting out connectTimeout', async () => {
  await withUsers(async (url) => {
    const db = createDatabase({ driver: postgres({ url, poolSize: 2, connectTimeout: '2s' }), repositories: { users: usersV2 }, plugins: [slowTransactions()], schemaMode: 'off' });
    try {
      const out = await migrate(db, { migrations: [addLevel] });
      assert.equal(out.applied, ['m1_level']);
      assert.equal((await db.users.find({ orderBy: { name: 'asc' } })).map((u) => [u.name, u.level]), [['a', 1], ['b', 1], ['c', 1], ['d', 1]]);
    } finally {
      await db.close();
    }
  });
});

test('concurrency beyond what the pool has beside the lock, or a pool of 1, is a ConfigError and nothing is applied', async () => {
  await withUsers(async (url) => {
    for (const [poolSize, concurrency, pattern] of [
      [2, 2, /concurrency 2 needs 2 connections beside the one holding the migration lock, and the pool has 2 \(poolSize\): lower concurrency to 1 or raise poolSize/],
      [1, undefined, /migrate needs a pool of at least 2 connections: one holds the migration lock .*the pool has 1; raise poolSize/],
    ] as const) {
      const db = createDatabase({ driver: postgres({ url, poolSize }), repositories: { users: usersV2 }, schemaMode: 'off' });
      try {
        const error = await migrate(db, { migrations: [addLevel], ...(concurrency ? { concurrency } : {}) }).then(() => undefined, (e: unknown) => e);
        assert.instance(error, ConfigError, `pool ${poolSize}`);
        assert.match((error as Error).message, pattern);
        assert.equal((await migrationStatus(db, { migrations: [addLevel] })).map((s) => s.state), ['pending'], 'nothing applied');
      } finally {
        await db.close();
      }
    }
    const v1 = createDatabase({ driver: postgres({ url, poolSize: 2 }), repositories: { users: usersV1 } });
    await v1.connect();
    assert.equal((await v1.users.find({ orderBy: { name: 'asc' } })).map((u) => u.name), ['a', 'b', 'c', 'd'], 'the table is as it was');
    await v1.close();
  });
});

test.run();
