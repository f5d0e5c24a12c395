import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, ConnectionError, createDatabase, defineRepository, f, TimeoutError } from '@chatcore/core';
import { requireService } from '@chatcore/core/testing';
import { mapSqlError } from '@chatcore/sql';
import { dropTables, suffix } from '@chatcore/sql/testing';
import { postgres } from '../src/index.js';
import { PG_URL, testConfig } from './helpers/pg-config.js';

await requireService('postgres');

const items = defineRepository('items', { id: f.id(), title: f.string(), version: f.version() }, { table: `items_${suffix()}` });
const opened: Array<{ close(): Promise<void> }> = [];
function open(extra: Parameters<typeof testConfig>[0] = {}) {
  const driver = postgres(testConfig(extra));
  const db = createDatabase({ driver, repositories: { items } });
  opened.push(db);
  return { driver, db };
}

test('repeated shapes run as named prepared statements on the connection', async () => {
  const { driver, db } = open({ poolSize: 1 });
  await db.connect();
  const a = await db.items.create({ title: 'a' });
  for (let i = 0; i < 3; i++) await db.items.get(a.id);
  const { rows } = await driver.executor.execute({ sql: "select statement from pg_prepared_statements where name like 'cc_%'", parameters: [] });
  assert.ok(rows.some((r) => String(r.statement).includes(items.schema.table) && String(r.statement).includes('select')), JSON.stringify(rows));
});

test('statementTimeout cancels a long statement with TimeoutError and the pool stays usable', async () => {
  const { driver } = open({ statementTimeout: 200, poolSize: 1 });
  const started = performance.now();
  try {
    await driver.executor.execute({ sql: 'select pg_sleep(3)', parameters: [] });
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.is((err as { code?: string }).code, '57014');
    assert.instance(mapSqlError(err), TimeoutError);
  }
  assert.ok(performance.now() - started < 2500);
  const health = await driver.health();
  assert.is(health.status, 'up');
});

test('killed idle connections are replaced without crashing the process', async () => {
  const applicationName = `chatcore-kill-${suffix()}`;
  const { driver, db } = open({ poolSize: 2, applicationName });
  await db.connect();
  await Promise.all([db.items.count(), db.items.count()]);
  const admin = postgres(testConfig({ poolSize: 1 }));
  opened.push(admin);
  await admin.executor.execute({
    sql: 'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
    parameters: [applicationName],
  });
  await new Promise((r) => setTimeout(r, 200));
  assert.type(await db.items.count(), 'number');
  assert.ok(Number(driver.executor.stats?.().connectionErrors) >= 1, 'the idle errors were handled');
});

test('a connection killed inside a transaction fails it with ConnectionError, is discarded, and the pool carries on', async () => {
  const applicationName = `chatcore-killtx-${suffix()}`;
  const { driver, db } = open({ poolSize: 1, applicationName });
  await db.connect();
  const admin = postgres(testConfig({ poolSize: 1 }));
  opened.push(admin);
  let failure: unknown;
  try {
    await db.transaction(async (tx) => {
      await tx.items.create({ title: 'lost' });
      await admin.executor.execute({ sql: 'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', parameters: [applicationName] });
      await new Promise((r) => setTimeout(r, 100));
      await tx.items.create({ title: 'lost too' });
    });
  } catch (err) {
    failure = err;
  }
  assert.instance(failure, ConnectionError);
  assert.is(await db.items.count({ title: 'lost' }), 0);
  assert.is(await db.items.count({ title: 'lost too' }), 0);
});

test('an unreachable server raises ConnectionError', async () => {
  const { driver } = open({ url: 'postgres://postgres@127.0.0.1:1/test', connectTimeout: 1000 });
  try {
    await driver.connect();
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.instance(err, ConnectionError);
  }
});

test('a create or createMany that could not connect says it was not sent, with no unknown outcome', async () => {
  const { db } = open({ url: 'postgres://postgres@127.0.0.1:1/test', connectTimeout: 1000, retry: { maxRetries: 1, initialDelay: 10 }, breaker: false });
  for (const write of [() => db.items.create({ title: 'never sent' }), () => db.items.createMany([{ title: 'a' }, { title: 'b' }])]) {
    try {
      await write();
      assert.unreachable('should have thrown');
    } catch (err) {
      assert.instance(err, ConnectionError);
      const e = err as ConnectionError;
      assert.is(e.info.phase, 'connect');
      assert.is(e.info.outcome, undefined, 'nothing was sent, so the outcome is known');
      assert.match(e.message, /was not sent/);
      assert.not.match(e.message, /unknown|could not be checked/);
    }
  }
});

test('invalid pool settings are refused with ConfigError', () => {
  assert.throws(() => postgres({ url: PG_URL, poolSize: 0 }), (e: unknown) => e instanceof ConfigError);
  assert.throws(() => postgres({ poolSize: 2 }), (e: unknown) => e instanceof ConfigError);
  assert.throws(() => postgres({ url: PG_URL, statementTimeout: -1 }), (e: unknown) => e instanceof ConfigError);
});

test('ssl: false connects in plain text; host/port/database/user work instead of a url', async () => {
  const driver = postgres({ host: '127.0.0.1', port: 5432, database: 'test', user: 'postgres', ssl: false, poolSize: 1 });
  opened.push(driver);
  const { rows } = await driver.executor.execute({ sql: 'select current_database() as db', parameters: [] });
  assert.is(rows[0]!.db, 'test');
});

test.after(async () => {
  const admin = postgres(testConfig({ poolSize: 1 }));
  await dropTables(admin.executor, [items.schema.table]);
  await admin.close();
  for (const d of opened) await d.close().catch(() => undefined);
});

test.run();
