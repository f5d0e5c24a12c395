import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sql } from 'kysely';
import { ChatcoreError, createDatabase, defineRepository, f, TimeoutError, UniqueViolationError } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import type { SqlRowOf } from '@chatcore/sql';
import { dropTables, suffix } from '@chatcore/sql/testing';
import { postgres } from '../src/index.js';
import { testConfig } from './helpers/pg-config.js';

await requireService('postgres');

// The Kysely escape hatch raises the errors repository calls raise, not pg's raw DatabaseError.
const items = defineRepository('items', { id: f.id(), title: f.string() }, { table: `esc_items_${suffix()}` });
const driver = postgres(testConfig({ poolSize: 2, queryTimeout: 300, connectTimeout: 500 }));
const db = createDatabase({ driver, repositories: { items } });
await db.connect();
const k = driver.kysely();
const table = sql.table(items.schema.table);

test('a statement cancelled by statement_timeout (57014) raises TimeoutError through the escape hatch, as through a repository', async () => {
  try {
    await sql`select pg_sleep(3)`.execute(k);
    assert.unreachable('should have timed out');
  } catch (err) {
    assert.instance(err, TimeoutError, String(err));
    assert.is((err as ChatcoreError).info.sqlState, '57014');
  }
});

test('a written query run by a repository (query()) cancelled by statement_timeout raises TimeoutError too', async () => {
  await db.items.create({ title: 'slow' });
  // The table name is made at run time: name its row type for it (withTables).
  const typed = k.withTables<Record<string, SqlRowOf<typeof items>>>();
  const slow = typed.selectFrom(items.schema.table).selectAll().where(sql<boolean>`pg_sleep(3) is not null`);
  try {
    await db.items.query(slow);
    assert.unreachable('should have timed out');
  } catch (err) {
    assert.instance(err, TimeoutError, String(err));
    assert.is((err as ChatcoreError).info.sqlState, '57014');
  }
});

test('a duplicate key through the escape hatch raises UniqueViolationError without the value', async () => {
  const row = await db.items.create({ title: 'secret title' });
  try {
    await sql`insert into ${table} (id, title) values (${row.id}, 'again')`.execute(k);
    assert.unreachable('should have failed');
  } catch (err) {
    assert.instance(err, UniqueViolationError, String(err));
    assert.not.match((err as Error).message, row.id);
  }
});

test('inside a Kysely transaction, errors are typed too, and the transaction rolls back', async () => {
  try {
    await k.transaction().execute(async (trx) => {
      await sql`insert into ${table} (id, title) values (${'0190a000-0000-7000-8000-000000000001'}, 'rolled back')`.execute(trx);
      await sql`select pg_sleep(3)`.execute(trx);
    });
    assert.unreachable('should have timed out');
  } catch (err) {
    assert.instance(err, TimeoutError, String(err));
  }
  assert.is(await db.items.count({ title: 'rolled back' }), 0);
});

test('a full pool raises the pool TimeoutError through the escape hatch', async () => {
  // Two transactions hold both connections, idle, longer than the 500 ms pool wait.
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const holders = [1, 2].map(() => driver.transaction(() => gate, {}));
  await new Promise((r) => setTimeout(r, 100));
  try {
    await sql`select 1`.execute(k);
    assert.unreachable('should have waited too long for a connection');
  } catch (err) {
    assert.instance(err, TimeoutError, String(err));
    assert.is((err as ChatcoreError).info.reason, 'pool');
  } finally {
    release();
    await Promise.all(holders);
  }
  assert.equal((await sql<{ one: number }>`select 1 as one`.execute(k)).rows, [{ one: 1 }]);
});

test.after(async () => {
  await dropTables(driver.executor, [items.schema.table]);
  await db.close();
});

test.run();
